"""Which models are sharded by what key, and which shard a key lives on.

``ROUTES`` says an app is sharded (a tuple of aliases); ``shard_by`` says how
each of its models names a row's shard key, so the router can place an
instance it is asked to save without help from the caller.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from manydb.sharding.keys import jump_hash, shard_key_hash
from manydb.topology.routing_map import routing_map

KeyFunction = Callable[[object], int | str]
_keys: dict[type, KeyFunction] = {}


def shard_by(model, *, key: KeyFunction) -> None:
    """Shard ``model`` by ``key(instance)`` (call it from an AppConfig.ready()).

    The app must be sharded in ROUTES (a tuple of aliases); ``key`` returns an
    int or a str that never changes for a row: a row lives on the shard its
    key hashes to, and moves only when the shard count changes.
    """
    _keys[model._meta.concrete_model] = key


def shards_of_model(model) -> tuple[str, ...]:
    """The shards of a model's app, in order (a 1-tuple when the app is not sharded)."""
    return routing_map().shards_of(model._meta.app_label)


def is_sharded_model(model) -> bool:
    return routing_map().is_sharded(model._meta.app_label)


def aliases_of(model) -> tuple[str, ...]:
    """Every database holding rows of ``model``: its shards, or its one home (where it is written)."""
    if is_sharded_model(model):
        return shards_of_model(model)
    from django.db import router

    return (router.db_for_write(model),)


def shard_of(model, key: int | str, *, shards: tuple[str, ...] | None = None) -> str:
    """The alias holding ``key``'s rows of ``model`` (over ``shards``, default: its configured ones)."""
    shards = tuple(shards) if shards is not None else shards_of_model(model)
    return shards[jump_hash(shard_key_hash(key), len(shards))]


def shard_key_of(instance) -> int | str:
    """The shard key of a row, from the function its model was registered with."""
    model = instance._meta.concrete_model
    try:
        key = _keys[model]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} is in a sharded app but has no shard key: call "
            f"manydb.shard_by({model.__name__}, key=...) in its AppConfig.ready()."
        ) from None
    return key(instance)


def shard_of_instance(instance, *, shards: tuple[str, ...] | None = None) -> str:
    return shard_of(instance, shard_key_of(instance), shards=shards)


def sharded_models() -> list:
    """The models registered with shard_by."""
    return list(_keys)
