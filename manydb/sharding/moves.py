"""While an app is being resharded: which keys move, and holding their writes until the cut-over.

``MANYDB["RESHARDING"] = {"analytics": 3}`` (``MANYDB_RESHARDING=analytics=3``)
says an app is going from its current shards (ROUTES) to that many. The
site keeps routing by the current shards, for reads and writes alike; the
new shards are configured (DATABASES) and migrated, but serve nobody until
the cut-over switches ROUTES.

A write for a key whose shard changes would land on the shard it is leaving
and be left behind, so such writes wait: ``shards_split`` sorts instances
into those that stay and those that move, and a delivery handler stores the
first and refuses the others with ``ShardMoving.for_model(model, held=ids)``. The outbox keeps what a
handler refuses so (manydb.outbox.MessagesHeld) and delivers it after the
cut-over, when the same key's shard is its new one. Keys that stay are
delivered as usual throughout.
"""

from manydb.outbox.delivery import MessagesHeld
from manydb.sharding.registry import shard_key_of, shard_of, shards_of_model
from manydb.topology.database_urls import shard_aliases
from manydb.topology.routing_map import routing_map


class ShardMoving(MessagesHeld):
    """Writes for keys whose shard is changing: held (in the outbox) until the cut-over."""

    @classmethod
    def for_model(cls, model, *, held) -> "ShardMoving":
        """The refusal a delivery handler raises for the messages (ids in ``held``) it did not store."""
        label, held = model._meta.app_label, list(held)
        count = routing_map().resharding.get(label)
        return cls(
            f"{len(held)} {model._meta.label} row(s) held: their shard changes while '{label}' is resharded "
            f"from {len(shards_of_model(model))} to {count} shards; delivered after the cut-over",
            held=held,
        )


def layout(app_label: str, count: int) -> tuple[str, ...]:
    """The aliases of ``app_label`` sharded over ``count`` databases: its first shard's name, _2, _3..."""
    first = routing_map().shards_of(app_label)[0]
    return tuple(shard_aliases(first, count))


def resharding_to(app_label: str) -> tuple[str, ...] | None:
    """The shards an app is being resharded to, or None when it is not being resharded."""
    count = routing_map().resharding.get(app_label)
    if count is None or count == len(routing_map().shards_of(app_label)):
        return None
    return layout(app_label, count)


def key_moves(model, key) -> bool:
    """True when ``key``'s shard changes in the reshard under way (False when none is)."""
    new = resharding_to(model._meta.app_label)
    return new is not None and shard_of(model, key) != shard_of(model, key, shards=new)


def shards_split(instances) -> tuple[dict[str, list], list]:
    """({shard: instances that stay there}, instances whose key is moving), by the current shards."""
    staying: dict[str, list] = {}
    moving = []
    for instance in instances:
        key = shard_key_of(instance)
        if key_moves(instance, key):
            moving.append(instance)
        else:
            staying.setdefault(shard_of(instance, key), []).append(instance)
    return staying, moving
