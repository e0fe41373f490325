"""migrate_all on a fresh embedded topology: each app on its own file, twice is harmless."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def fresh_topology(tmp_path):
    """Environment for a manage.py run whose every alias is a new SQLite file in tmp_path."""
    names = {
        "DATABASE_URL": "default",
        "USERS_DATABASE_URL": "users",
        "ANALYTICS_DATABASE_URL": "analytics",
        "ANALYTICS_2_DATABASE_URL": "analytics_2",
        "LEGACY_DATABASE_URL": "legacy",
        "CACHE_DATABASE_URL": "cache",
    }
    env = {var: f"sqlite:///{tmp_path}/{alias}.sqlite3" for var, alias in names.items()}
    env.pop("REPLICA_DATABASE_URL", None)
    return tmp_path, {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_check_fails_before_and_passes_after(fresh_topology):
    _, env = fresh_topology
    before = manage(env, "migrate_all", "--check")
    assert before.returncode == 1
    assert "unapplied" in before.stdout

    first = manage(env, "migrate_all")
    assert first.returncode == 0, first.stderr
    assert "users        applied" in first.stdout
    assert "analytics_2  applied" in first.stdout
    assert "legacy       skipped" in first.stdout
    assert "replica      skipped" in first.stdout

    second = manage(env, "migrate_all")
    assert second.returncode == 0, second.stderr
    assert "applied" not in second.stdout

    after = manage(env, "migrate_all", "--check")
    assert after.returncode == 0, after.stdout + after.stderr


def test_each_table_is_created_on_its_own_database_only(fresh_topology):
    tmp_path, env = fresh_topology
    assert manage(env, "migrate_all").returncode == 0
    found = {
        alias: tables(tmp_path / f"{alias}.sqlite3") - {"django_migrations", "sqlite_sequence"}
        for alias in ("default", "users", "analytics", "analytics_2", "cache")
    }
    # The outbox is the one table on several databases: each MANYDB["OUTBOX"] alias.
    assert found["default"] == {"blog_post", "blog_comment", "manydb_outboxmessage"}
    assert found["analytics"] == found["analytics_2"] == {"analytics_event"}  # every shard
    assert found["cache"] == {"cache_cacheentry", "django_cache"}
    assert {
        "users_user",
        "auth_permission",
        "django_content_type",
        "django_session",
        "django_admin_log",
        "manydb_outboxmessage",
    } <= found["users"]
    assert not any(name.startswith(("blog_", "analytics_", "cache_")) for name in found["users"])
    # legacy is never migrated: not even Django's bookkeeping table appears there.
    assert tables(tmp_path / "legacy.sqlite3") == set()


def test_each_shard_issues_ids_from_its_own_range_after_migrating(fresh_topology):
    tmp_path, env = fresh_topology
    assert manage(env, "migrate_all").returncode == 0
    for slot, alias in enumerate(("analytics", "analytics_2"), start=1):
        with sqlite3.connect(tmp_path / f"{alias}.sqlite3") as db:
            [(seq,)] = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'analytics_event'")
        assert seq + 1 == slot << 48  # the next id
