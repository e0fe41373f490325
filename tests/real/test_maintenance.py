"""dbmaint and the health checks against the real servers: statistics that have data,
a standby that is never vacuumed, legacy left alone, real faults found by the checks."""

import threading
import time

import psycopg
import pytest
from django.db import connections

from apps.legacy.models import Customer
from config.aliases import ANALYTICS, DEFAULT, LEGACY, REPLICA
from manydb.maintenance import checks
from manydb.maintenance.engines import inspector
from tests.factories import event_create, user_id_on_shard
from tests.rows import value

MySQLdb = pytest.importorskip("MySQLdb", reason="the MySQL driver is not installed: make test-real installs it")

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def check(alias: str, name: str):
    return next(found for found in inspector(alias).checks() if found.name == name)


def test_slow_queries_have_data_on_postgresql_and_mariadb(dbmaint):
    for _ in range(3):
        event_create(user_id=user_id_on_shard(ANALYTICS))
        list(Customer.objects.all()[:5])
    status, out = dbmaint("slow-queries", ANALYTICS, LEGACY)
    assert status == 0, out
    analytics, legacy = out["databases"][ANALYTICS], out["databases"][LEGACY]
    assert analytics["off"] == "" and legacy["off"] == ""
    assert any("analytics_event" in row["query"] for row in analytics["queries"])
    assert any("customers" in row["query"].lower() for row in legacy["queries"])
    assert all(row["calls"] >= 1 and row["total_ms"] >= row["mean_ms"] >= 0 for row in analytics["queries"])


def test_the_standby_is_never_vacuumed_and_refuses_when_named(dbmaint):
    status, out = dbmaint("vacuum")
    assert status == 0, out
    assert REPLICA in out["skipped"] and REPLICA not in out["databases"]
    vacuumed = value(DEFAULT, "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'blog_post'")
    assert vacuumed
    status, out = dbmaint("vacuum", REPLICA)
    assert status == 1
    assert "recovery" in out["databases"][REPLICA]["error"]


def test_legacy_is_left_alone_unless_named(dbmaint):
    def maintenance_statements() -> int:
        return value(
            LEGACY,
            """SELECT coalesce(sum(COUNT_STAR), 0) FROM performance_schema.events_statements_summary_by_digest
               WHERE SCHEMA_NAME = DATABASE() AND (DIGEST_TEXT LIKE 'ANALYZE%%' OR DIGEST_TEXT LIKE 'OPTIMIZE%%')""",
        )

    before = maintenance_statements()
    assert dbmaint("vacuum")[0] == 0
    assert dbmaint("analyze")[0] == 0
    assert maintenance_statements() == before
    status, out = dbmaint("analyze", LEGACY)  # named: the test database lets the test user do it
    assert status == 0, out
    assert maintenance_statements() == before + 1


def test_health_exits_2_when_the_standby_is_stopped(dbmaint, stopped_standby):
    status, out = dbmaint("health")
    assert status == 2
    assert out["databases"][REPLICA]["reachable"] is False
    assert out["databases"][DEFAULT]["reachable"] is True


def test_a_stopped_standby_leaves_an_inactive_slot_which_the_checks_report(stopped_standby):
    found = check(DEFAULT, "Inactive replication slots")
    assert found.status == checks.PROBLEM
    assert found.rows[0]["slot_name"] == "devdb_replica"
    assert "pg_drop_replication_slot" in found.advice


def test_replication_lag_is_measured_on_both_ends():
    assert check(REPLICA, "Replication lag").status == checks.OK
    primary = check(DEFAULT, "Replication lag")
    assert primary.status == checks.OK and "1 standby" in primary.summary


def _run_in_background(connect, sql: str) -> threading.Thread:
    def run():
        with connect() as conn:
            conn.cursor().execute(sql)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _site_connection(alias: str):
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "postgresql":
        return lambda: psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname=settings["NAME"],
        )
    return lambda: MySQLdb.connect(
        host=settings["HOST"],
        port=int(settings["PORT"]),
        user=settings["USER"],
        password=settings["PASSWORD"],
        database=settings["NAME"],
    )


@pytest.mark.parametrize(("alias", "sleep"), [(ANALYTICS, "SELECT pg_sleep(4)"), (LEGACY, "SELECT SLEEP(4)")])
def test_long_running_queries_are_reported(monkeypatch, alias, sleep):
    monkeypatch.setattr(checks, "LONG_RUNNING_QUERY_SECONDS", 1)
    assert check(alias, "Long-running queries").status == checks.OK
    thread = _run_in_background(_site_connection(alias), sleep)
    try:
        time.sleep(2.5)
        found = check(alias, "Long-running queries")
    finally:
        thread.join()
    assert found.status == checks.PROBLEM, found
    assert "sleep" in found.rows[0]["query"].lower()


def test_duplicate_indexes_are_found():
    with connections[ANALYTICS].cursor() as cursor:
        cursor.execute("CREATE INDEX analytics_event_type_only ON analytics_event (event_type)")
    try:
        duplicates = check(ANALYTICS, "Duplicate indexes")
    finally:
        with connections[ANALYTICS].cursor() as cursor:
            cursor.execute("DROP INDEX analytics_event_type_only")
    assert duplicates.status == checks.PROBLEM
    covered = {
        "table": "analytics_event",
        "index": "analytics_event_type_only",
        "covered_by": "analytics_e_event_t_6bfff6_idx",
    }
    assert covered in duplicates.rows
    assert "Drop the covered index" in duplicates.advice


def test_engines_without_a_check_say_so():
    assert check(LEGACY, "Transaction ID wraparound").summary == checks.NOT_ON_ENGINE
    assert check(LEGACY, "Inactive replication slots").status == checks.UNAVAILABLE
