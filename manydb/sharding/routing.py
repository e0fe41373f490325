"""The router's answer for a sharded model: the shard a query or write names."""

from manydb.sharding.context import chosen_shard
from manydb.sharding.errors import ShardKeyRequired
from manydb.sharding.registry import shard_of_instance, shards_of_model


def shard_alias(model, hints: dict) -> str:
    """The shard for a query or write on ``model``, or ShardKeyRequired.

    In order: the instance Django names (the shard it was loaded from, else
    its key's shard), a surrounding ``shard_for``, and nothing else: a query
    naming no shard is refused, never sent to one at random.
    """
    shards = shards_of_model(model)
    instance = hints.get("instance")
    if instance is not None and instance._meta.concrete_model is model._meta.concrete_model:
        if instance._state.db in shards:
            return instance._state.db
        return shard_of_instance(instance, shards=shards)
    chosen = chosen_shard(model)
    if chosen is not None:
        return chosen
    raise ShardKeyRequired.for_model(model, shards)
