"""Ids unique across shards on MySQL/MariaDB too: a shard's AUTO_INCREMENT starts at its slot's range.

No shard lives on MariaDB in this topology, so a scratch database on the devdb's MariaDB (made
with the admin account, dropped afterwards) holds an analytics table as a second shard would.
"""

import os

import dj_database_url
import pytest
from django.db import connections
from django.test import override_settings

from apps.analytics.models import Event
from manydb.sharding.ids import SLOT_BITS, ids_start_on_slot

MySQLdb = pytest.importorskip("MySQLdb", reason="the MySQL driver is not installed: make test-real installs it")

SCRATCH = "test_shard_ids"
ALIAS = "mysql_shard"


@pytest.fixture
def mysql_shard():
    if "DEVDB_MYSQL_ADMIN_URL" not in os.environ:
        pytest.skip("needs the real topology: run `make test-real`")
    config = dj_database_url.parse(os.environ["DEVDB_MYSQL_ADMIN_URL"])
    admin = MySQLdb.connect(user=config["USER"], unix_socket=config["OPTIONS"]["unix_socket"])
    admin.cursor().execute(f"CREATE DATABASE IF NOT EXISTS {SCRATCH}")
    settings_dict = {**config, "NAME": SCRATCH, "TEST": {"NAME": SCRATCH}}
    configured = connections.configure_settings({"default": settings_dict, ALIAS: settings_dict})[ALIAS]
    connections[ALIAS] = _wrapper(configured)
    try:
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Event)
        routes = {"ROUTES": {"analytics": ("analytics", ALIAS)}}
        with override_settings(MANYDB=routes):
            yield connections[ALIAS]
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.close()


def _wrapper(settings_dict):
    from django.db.backends.mysql.base import DatabaseWrapper

    return DatabaseWrapper(settings_dict, ALIAS)


def insert(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO analytics_event (event_id, event_type, user_id, session_key, path, data, occurred_at) "
            "VALUES (UUID(), 'page_view', 1, '', '/', '{}', NOW())"
        )
        return cursor.lastrowid


@pytest.mark.django_db(databases="__all__")
def test_a_mariadb_shard_issues_ids_from_its_slot(mysql_shard):
    assert ids_start_on_slot(using=ALIAS) == ["analytics_event"]
    first = insert(mysql_shard)
    assert first == 2 << SLOT_BITS  # the second shard's range
    ids_start_on_slot(using=ALIAS)  # again, as after every migrate: issued ids are kept
    assert insert(mysql_shard) == first + 1
