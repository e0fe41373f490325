"""A database is up only if it answers about its own tables; a check never creates one."""

import sqlite3

import pytest
from django.db import connections

from config.aliases import ANALYTICS, DEFAULT, LEGACY, REPLICA
from manydb.ops.health import check_alias, tables_homed_on
from manydb.testing import reconnect

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def pointed_at():
    """Point an alias at an SQLite file of the test's choosing; put it back afterwards."""
    originals = {}

    def point(alias: str, path) -> None:
        originals.setdefault(alias, connections[alias].settings_dict)
        reconnect(alias, {**originals[alias], "ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": {}})

    yield point
    for alias, settings_dict in originals.items():
        reconnect(alias, settings_dict)


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
    path = tmp_path / "analytics.sqlite3"
    pointed_at(ANALYTICS, path)
    health = check_alias(ANALYTICS)
    assert not health.ok and health.error == f"database file {path} does not exist"
    assert not path.exists()


def test_an_sqlite_file_deleted_under_an_open_connection_is_down(pointed_at, tmp_path):
    path = tmp_path / "analytics.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE analytics_event (id integer)").connection.close()
    pointed_at(ANALYTICS, path)
    connections[ANALYTICS].ensure_connection()
    path.unlink()
    health = check_alias(ANALYTICS)
    assert not health.ok and "does not exist" in health.error
    assert not path.exists()


def test_a_database_without_its_tables_is_down_and_says_which(pointed_at, tmp_path):
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (id integer)").connection.close()
    pointed_at(ANALYTICS, path)
    health = check_alias(ANALYTICS)
    assert not health.ok and health.latency_ms is not None
    assert health.error == "missing tables: analytics_event"


def test_an_external_schema_without_its_tables_is_down(pointed_at, tmp_path):
    path = tmp_path / "legacy.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE customers (cust_no integer)").connection.close()
    pointed_at(LEGACY, path)
    health = check_alias(LEGACY)
    assert not health.ok and "orders" in health.error and "customers" not in health.error


def test_health_page_reports_a_missing_file(admin_client, pointed_at, tmp_path):
    pointed_at(ANALYTICS, tmp_path / "gone.sqlite3")
    entry = admin_client.get("/health/").json()["databases"][ANALYTICS]
    assert entry["ok"] is False and "does not exist" in entry["error"]
    assert not (tmp_path / "gone.sqlite3").exists()
