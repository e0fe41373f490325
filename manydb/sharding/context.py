"""``shard_for``: a block of code whose queries on a sharded model go to one shard."""

from contextlib import contextmanager
from contextvars import ContextVar

from manydb.sharding.registry import shard_of, shards_of_model

_chosen: ContextVar[dict[str, str] | None] = ContextVar("manydb_shard_for", default=None)


@contextmanager
def shard_for(model, *, key: int | str | None = None, shard: str | None = None):
    """Inside the block, the router sends ``model``'s reads and writes to one shard.

    Name the shard by ``key`` (the shard holding that key's rows) or by
    ``shard`` (an alias); the block yields the alias. Blocks nest: the inner
    one wins until it ends. A saved instance still goes to its own key's shard.
    """
    if (key is None) == (shard is None):
        raise TypeError("shard_for() takes a key or a shard, not both and not neither")
    shards = shards_of_model(model)
    alias = shard_of(model, key) if shard is None else shard
    if alias not in shards:
        raise ValueError(f"'{alias}' is not a shard of {model._meta.label} (its shards: {', '.join(shards)})")
    token = _chosen.set({**(_chosen.get() or {}), _label(model): alias})
    try:
        yield alias
    finally:
        _chosen.reset(token)


def chosen_shard(model) -> str | None:
    """The shard a surrounding ``shard_for`` chose for ``model``, if any."""
    return (_chosen.get() or {}).get(_label(model))


def _label(model) -> str:
    return model._meta.concrete_model._meta.label_lower
