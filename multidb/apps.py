from django.apps import AppConfig


class MultiDBConfig(AppConfig):
    name = "multidb"
    verbose_name = "Multi-database core"

    def ready(self):
        # Registers the system checks that validate the routing map.
        from django.db.backends.signals import connection_created

        from multidb import checks  # noqa: F401
        from multidb.replicas import watch_replica_connection

        connection_created.connect(watch_replica_connection, dispatch_uid="multidb.watch_replica_connection")

        # Queries that would join tables of two databases fail before they run.
        from multidb import joins

        joins.install()
