"""A database is up only if it answers about its own tables; a check never creates one."""

import sqlite3

import pytest
from django.db import connections

from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, REPLICA
from manydb.ops.health import check_alias, tables_homed_on
from manydb.testing import reconnect

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


# A database on the same server that holds none of the site's tables.
FOREIGN_DATABASE = {"postgresql": "postgres", "mysql": "information_schema"}


@pytest.fixture
def pointed_at():
    """Point an alias at another database of its engine; put it back afterwards."""
    originals = {}

    def point(alias: str, name) -> None:
        originals.setdefault(alias, connections[alias].settings_dict)
        reconnect(alias, {**originals[alias], "NAME": str(name)})

    yield point
    for alias, settings_dict in originals.items():
        reconnect(alias, settings_dict)


def sqlite_alias() -> str:
    for alias in (ANALYTICS, CACHE, LEGACY):
        if connections[alias].vendor == "sqlite":
            return alias
    pytest.skip("about SQLite files: this topology has no SQLite alias")


def empty_database(alias: str, tmp_path, *tables: str) -> str:
    """A database the alias's engine can open that lacks the alias's tables (it has ``tables``)."""
    vendor = connections[alias].vendor
    if vendor != "sqlite":
        return FOREIGN_DATABASE[vendor]
    path = tmp_path / f"{alias}-empty.sqlite3"
    with sqlite3.connect(path) as db:
        for table in tables or ("unrelated",):
            db.execute(f"CREATE TABLE {table} (id integer)")
    db.close()
    return str(path)


def test_the_tables_each_alias_must_hold_come_from_the_router():
    assert {"blog_post", "blog_comment", "manydb_outboxmessage"} <= set(tables_homed_on(DEFAULT))
    assert tables_homed_on(REPLICA) == tables_homed_on(DEFAULT)  # a replica holds its primary's tables
    assert "analytics_event" in tables_homed_on(ANALYTICS) and "blog_post" not in tables_homed_on(ANALYTICS)
    # Never migrated: the unmanaged models homed there say what must be present.
    assert {"customers", "orders"} <= set(tables_homed_on(LEGACY))


def test_every_alias_of_the_test_topology_is_up():
    for alias in connections:
        assert check_alias(alias).ok, check_alias(alias)


def test_a_deleted_sqlite_file_is_down_and_is_not_created_again(pointed_at, tmp_path):
    alias = sqlite_alias()
    path = tmp_path / "gone.sqlite3"
    pointed_at(alias, path)
    health = check_alias(alias)
    assert not health.ok and health.error == f"database file {path} does not exist"
    assert not path.exists()


def test_an_sqlite_file_deleted_under_an_open_connection_is_down(pointed_at, tmp_path):
    alias = sqlite_alias()
    path = tmp_path / "deleted.sqlite3"
    sqlite3.connect(path).close()
    pointed_at(alias, path)
    connections[alias].ensure_connection()
    path.unlink()
    health = check_alias(alias)
    assert not health.ok and "does not exist" in health.error
    assert not path.exists()


def test_a_database_without_its_tables_is_down_and_says_which(pointed_at, tmp_path):
    pointed_at(ANALYTICS, empty_database(ANALYTICS, tmp_path))
    health = check_alias(ANALYTICS)
    assert not health.ok and health.latency_ms is not None
    assert health.error == "missing tables: analytics_event"


def test_an_external_schema_without_its_tables_is_down(pointed_at, tmp_path):
    pointed_at(LEGACY, empty_database(LEGACY, tmp_path, "customers"))
    health = check_alias(LEGACY)
    assert not health.ok and "orders" in health.error
    if connections[LEGACY].vendor == "sqlite":
        assert "customers" not in health.error  # present tables are not reported


def test_health_page_reports_a_database_without_its_tables(admin_client, pointed_at, tmp_path):
    pointed_at(ANALYTICS, empty_database(ANALYTICS, tmp_path))
    entry = admin_client.get("/health/").json()["databases"][ANALYTICS]
    assert entry["ok"] is False and entry["error"] == "missing tables: analytics_event"
