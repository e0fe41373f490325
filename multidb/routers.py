"""The database router: every decision comes from the routing map.

Add ``"multidb.routers.RoutingMapRouter"`` to ``DATABASE_ROUTERS``. Django asks
the routers in order and falls back to ``default`` when none answers; this
router answers for every model, so with it alone nothing falls through.
"""

from multidb import replicas
from multidb.relations import declared_cross_database
from multidb.routing import routing_map


class RoutingMapRouter:
    def db_for_read(self, model, **hints):
        """A replica of the model's home when one may serve it, else the home."""
        return replicas.read_alias(routing_map().home_of(model._meta.app_label))

    def db_for_write(self, model, **hints):
        """Always the model's home; later reads in this scope stay there too."""
        home = routing_map().home_of(model._meta.app_label)
        replicas.note_write(home)
        return home

    def allow_relation(self, obj1, obj2, **hints):
        """Same home, or a cross-database relation declared with db_constraint=False."""
        homes = routing_map()
        if homes.home_of(obj1._meta.app_label) == homes.home_of(obj2._meta.app_label):
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
