"""Helpers for moving the legacy app's rows between the suite's databases, whatever engines they run on.

Under `make test` every alias is an SQLite file; under `make test-real`
legacy is MariaDB and analytics, cache and default are PostgreSQL, so the
same tests cover MariaDB -> PostgreSQL and PostgreSQL -> PostgreSQL. The
``embedded`` alias is an SQLite file added for the test, for the pairs
between SQLite and the server engines.
"""

import os
from urllib.parse import quote

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.utils import timezone

from apps.legacy.models import Customer, Order
from manydb.moving.checkpoints import TABLE as CHECKPOINTS

MOVED_TABLES = (Order._meta.db_table, Customer._meta.db_table, CHECKPOINTS)
SAMPLE_CUSTOMERS = 40  # apps/legacy/sql/sample_data.sql


def drop_moved_tables(alias: str) -> None:
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in MOVED_TABLES:
            if table in existing:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


def embedded_alias(tmp_path):
    """An extra alias: an SQLite file of its own, whatever the suite's topology."""
    alias = "embedded"
    config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "embedded.sqlite3")}
    config = connections.configure_settings({"default": config, alias: config})[alias]
    # Registered on this thread only, as Django's test case expects of a connection made during a test.
    connections[alias] = DatabaseWrapper(config, alias)
    yield alias
    connections[alias].close()
    del connections[alias]


def forget_moves() -> None:
    """Analytics, cache and default lose the tables a move created there; legacy its added rows."""
    for alias in ("analytics", "cache", "default"):
        drop_moved_tables(alias)
    Customer.objects.using("legacy").filter(pk__gt=SAMPLE_CUSTOMERS).delete()


def add_customers(count: int, alias: str = "legacy") -> None:
    now = timezone.now()
    Customer.objects.using(alias).bulk_create(
        Customer(name=f"Customer {n}", email=f"c{n}@example.com", city="Lyon", country_code="FR", created_at=now)
        for n in range(count)
    )


def same_rows(model, one: str, other: str) -> bool:
    columns = [field.attname for field in model._meta.concrete_fields]
    rows = [list(model._base_manager.using(alias).order_by("pk").values_list(*columns)) for alias in (one, other)]
    return rows[0] == rows[1] and len(rows[0]) > 0


def database_url(alias: str) -> str:
    """A URL another process can use to open the same database as ``alias`` (its test database)."""
    connection = connections[alias]
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[connection.vendor]
    credentials = f"{quote(config['USER'], safe='')}:{quote(config['PASSWORD'], safe='')}"
    return f"{scheme}://{credentials}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def process_environment(**overrides) -> dict:
    """The environment of a manage.py process that sees this suite's test databases."""
    variables = {
        "DATABASE_URL": "default",
        "USERS_DATABASE_URL": "users",
        "ANALYTICS_DATABASE_URL": "analytics",
        "CACHE_DATABASE_URL": "cache",
        "LEGACY_DATABASE_URL": "legacy",
    }
    env = {key: value for key, value in os.environ.items() if key != "REPLICA_DATABASE_URL"}
    env.update({variable: database_url(alias) for variable, alias in variables.items()})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env.update(overrides)
    return env
