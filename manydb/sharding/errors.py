"""The refusal of a query on a sharded model that names no shard."""

from django.core.exceptions import ImproperlyConfigured


class ShardKeyRequired(ImproperlyConfigured):
    """A query or write on a sharded model named no shard key and no shard.

    Like a join across databases (manydb.crossdb.joins), it has no single
    answer, so it is refused rather than sent to one shard at random. The
    message names the model, its shards and the ways to ask.
    """

    @classmethod
    def for_model(cls, model, shards: tuple[str, ...]) -> "ShardKeyRequired":
        name = model.__name__
        return cls(
            f"{model._meta.label} is sharded over {_listed(shards)}: a query or write on it must name "
            f"its shard key or a shard. Ask {name}.objects.for_key(key) for one key's rows, "
            f"wrap the code in `with manydb.shard_for({name}, key=key):` (or shard=alias), "
            f"or use {name}.objects.on_shard(alias) for one shard; for totals over every shard, "
            f"use manydb.for_each_shard({name}, fn) and merge the results."
        )

    @classmethod
    def for_label(cls, app_label: str, shards: tuple[str, ...]) -> "ShardKeyRequired":
        return cls(
            f"The app '{app_label}' is sharded over {_listed(shards)}: it has no single home. "
            f"Ask routing_map().shards_of('{app_label}') for its shards, or manydb.shard_of(model, key) "
            f"for the shard of one key."
        )


def _listed(shards: tuple[str, ...]) -> str:
    return ", ".join(f"'{alias}'" for alias in shards)
