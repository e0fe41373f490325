"""manydb.topology.database_urls: URLs to DATABASES entries, and start-up errors that name the culprit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from manydb.topology.database_urls import (
    DatabaseURLError,
    as_replica,
    database_from_url,
    read_only_view,
    replica_aliases,
)

BASE_DIR = Path(__file__).resolve().parents[3]


def parse(url, **kwargs):
    return database_from_url(url, alias="users", variable="USERS_DATABASE_URL", base_dir=BASE_DIR, **kwargs)


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "oracle2://user@host/db",
        "postgres://user:secret@host:notaport/db",
        "postgres://user@host:5432/",
        "sqlite://",
    ],
)
def test_malformed_url_names_variable_and_alias(url):
    with pytest.raises(DatabaseURLError) as raised:
        parse(url)
    message = str(raised.value)
    assert "USERS_DATABASE_URL" in message
    assert "'users'" in message
    assert "\n" not in message


def test_error_message_hides_the_password():
    with pytest.raises(DatabaseURLError) as raised:
        parse("postgres://app:hunter2@db:notaport/site")
    assert "hunter2" not in str(raised.value)
    assert "app:***@db" in str(raised.value)


def test_postgres_gets_a_bounded_pool_and_timeouts():
    config = parse("postgres://app:pw@db.internal:5433/site_users", pool_max_size=7, connect_timeout=3)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "site_users")
    assert config["OPTIONS"]["pool"]["max_size"] == 7
    assert config["OPTIONS"]["connect_timeout"] == 3
    assert config["CONN_MAX_AGE"] == 0  # required by Django's pool
    # No check on checkout: failing fast matters more (manydb/topology/database_urls.py says why;
    # tests/real/test_integrity_faults.py shows what a dropped connection costs).
    assert config["CONN_HEALTH_CHECKS"] is False


def test_mysql_gets_utf8mb4():
    config = parse("mysql://legacy_app:pw@legacy:3306/legacy")
    assert config["ENGINE"] == "django.db.backends.mysql"
    assert config["OPTIONS"]["charset"] == "utf8mb4"


def test_relative_sqlite_path_is_under_the_project(tmp_path):
    config = database_from_url(
        "sqlite:///var/some.sqlite3", alias="cache", variable="CACHE_DATABASE_URL", base_dir=tmp_path
    )
    assert config["NAME"] == str(tmp_path / "var" / "some.sqlite3")
    assert (tmp_path / "var").is_dir()


def test_sqlite_replica_is_a_read_only_uri_of_the_primary_file(tmp_path):
    primary = database_from_url(
        f"sqlite:///{tmp_path}/default.sqlite3", alias="default", variable="DATABASE_URL", base_dir=tmp_path
    )
    replica = read_only_view(primary)
    assert replica["NAME"] == f"file:{tmp_path}/default.sqlite3?mode=ro"
    assert replica["OPTIONS"] is not primary["OPTIONS"]


def test_a_replica_drops_the_pool_for_persistent_connections():
    primary = parse("postgres://app:pw@db:5432/site")
    replica = as_replica(primary, conn_max_age=30)
    assert "pool" not in replica["OPTIONS"] and replica["CONN_MAX_AGE"] == 30
    assert replica["OPTIONS"]["connect_timeout"] == primary["OPTIONS"]["connect_timeout"]
    assert "pool" in primary["OPTIONS"]  # the primary's own entry is untouched


def test_replica_alias_names():
    assert replica_aliases("default", 3) == ["replica", "replica_2", "replica_3"]
    assert replica_aliases("users", 1) == ["users_replica"]


def run_manage(*args, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_start_up_stops_with_one_line_naming_the_variable():
    result = run_manage("check", ANALYTICS_DATABASE_URL="postgres://app:pw@host:port/events")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ANALYTICS_DATABASE_URL" in lines[0] and "'analytics'" in lines[0]


def test_several_replica_urls_make_several_replica_aliases(tmp_path):
    urls = f"sqlite:///{tmp_path}/r1.sqlite3,sqlite:///{tmp_path}/r2.sqlite3"
    code = "from django.conf import settings; print(sorted(settings.MANYDB['REPLICAS']['default']))"
    result = run_manage("shell", "-c", code, REPLICA_DATABASE_URL=urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['replica', 'replica_2']"


def test_the_wsgi_entry_point_also_stops_with_one_line():
    environment = {**os.environ, "DJANGO_SECRET_KEY": "x" * 60, "CACHE_DATABASE_URL": "mysql://u:p@h:bad/c"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "CACHE_DATABASE_URL" in result.stderr and "'cache'" in result.stderr
