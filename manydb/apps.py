from django.apps import AppConfig


class ManyDBConfig(AppConfig):
    name = "manydb"
    verbose_name = "Multi-database core"

    def ready(self):
        from django.conf import settings
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from manydb.crossdb import joins
        from manydb.failover.discard import watch_primary_connection
        from manydb.failover.servers import check_new_connection
        from manydb.moving.pause import pause_writes_on
        from manydb.ops import checks  # noqa: F401  (registers the system checks)
        from manydb.replicas.failure_watch import watch_replica_connection
        from manydb.scope.writes import record_writes_on
        from manydb.sharding.ids import start_ids_after_migrate
        from manydb.topology.drivers import require_drivers

        # A database whose driver is missing stops start-up with one line, not a
        # traceback at its first query (the MySQL driver is an optional install).
        require_drivers(settings.DATABASES)

        # A query that fails on a replica cools it down; a write on a primary pins the scope's reads.
        connection_created.connect(watch_replica_connection, dispatch_uid="manydb.watch_replica_connection")
        connection_created.connect(record_writes_on, dispatch_uid="manydb.record_writes_on")
        # Writes to an app listed in MANYDB["MOVING"] fail with a "being moved" error.
        connection_created.connect(pause_writes_on, dispatch_uid="manydb.pause_writes_on")
        # A new primary connection says who it is (a former primary is fenced
        # off); a stale one empties its pool (manydb.failover).
        connection_created.connect(check_new_connection, dispatch_uid="manydb.failover.check_new_connection")
        connection_created.connect(watch_primary_connection, dispatch_uid="manydb.failover.watch_primary")
        # Queries that would join tables of two databases fail before they run.
        joins.install()
        # Each shard issues ids from its own range (manydb.sharding.ids), set after every migrate.
        post_migrate.connect(start_ids_after_migrate, dispatch_uid="manydb.sharding.start_ids")
