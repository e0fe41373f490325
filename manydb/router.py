"""The database router: every decision comes from the routing map.

Add ``"manydb.router.RoutingMapRouter"`` to ``DATABASE_ROUTERS``. Django asks
the routers in order and falls back to ``default`` when none answers; this
router answers for every model, so with it alone nothing falls through.

Answering is all it does. Django asks ``db_for_write`` without writing (the
admin opens a transaction with it on a GET, ``get_or_create`` asks before it
knows whether it will insert), so a write pins later reads only when a
write statement really runs (``manydb.scope.writes``).

A sharded app (a tuple of aliases in ROUTES) is answered by
``manydb.sharding.routing``: the shard of the instance or of the
surrounding ``shard_for``, else ShardKeyRequired. Shards have no replicas.
"""

from manydb.crossdb.relations import declared_cross_database
from manydb.replicas.choice import read_alias
from manydb.sharding.routing import shard_alias
from manydb.topology.routing_map import home_of, routing_map


class RoutingMapRouter:
    def db_for_read(self, model, **hints):
        """A replica of the model's home when one may serve it, else the home; a sharded model's shard."""
        if routing_map().is_sharded(model._meta.app_label):
            return shard_alias(model, hints)
        return read_alias(home_of(model))

    def db_for_write(self, model, **hints):
        """The model's home; a sharded model's shard."""
        if routing_map().is_sharded(model._meta.app_label):
            return shard_alias(model, hints)
        return home_of(model)

    def allow_relation(self, obj1, obj2, **hints):
        """Same database, or a cross-database relation declared with db_constraint=False."""
        if _where(obj1) == _where(obj2):
            return True
        return declared_cross_database(obj1._meta.model, obj2._meta.model)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Each app migrates on its home only; never on replicas or external schemas.

        The one table on several databases is the core's outbox: it lives on
        each OUTBOX alias, so a message can commit with the write it belongs to.
        """
        homes = routing_map()
        if homes.is_replica(db) or db in homes.never_migrate:
            return False
        return db in homes.migrates_on(app_label)


def _where(obj) -> str:
    """An instance's database: its home, or for a sharded model the shard it was loaded from."""
    if routing_map().is_sharded(obj._meta.app_label):
        return obj._state.db or ""
    return home_of(obj)
