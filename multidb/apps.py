from django.apps import AppConfig


class MultiDBConfig(AppConfig):
    name = "multidb"
    verbose_name = "Multi-database core"

    def ready(self):
        # Registers the system checks that validate the routing map.
        from multidb import checks  # noqa: F401
