"""Event ids: events recorded before the column existed each get their own, so the
unique constraint the outbox relies on can be added to a table with rows."""

import sqlite3
import uuid

from tests.manydb.management.test_migrate_all import fresh_topology, manage  # noqa: F401 (fixture)


def test_existing_events_get_distinct_ids_when_the_column_is_added(fresh_topology):  # noqa: F811
    tmp_path, env = fresh_topology
    assert manage(env, "migrate", "analytics", "0001", "--database", "analytics").returncode == 0
    with sqlite3.connect(tmp_path / "analytics.sqlite3") as db:
        db.executemany(
            "INSERT INTO analytics_event (event_type, session_key, path, data, occurred_at) "
            "VALUES ('page_view', '', '/', '{}', '2026-01-01 00:00:00')",
            [()] * 2500,  # more than one batch of the data migration
        )
    result = manage(env, "migrate_all")
    assert result.returncode == 0, result.stderr
    assert "analytics    applied 5 migrations (analytics)" in result.stdout
    with sqlite3.connect(tmp_path / "analytics.sqlite3") as db:
        ids = [row[0] for row in db.execute("SELECT event_id FROM analytics_event")]
    assert len(ids) == 2500 and len(set(ids)) == 2500
    assert all(uuid.UUID(value) for value in ids)
