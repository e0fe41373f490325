"""Django's psycopg pool is on for every PostgreSQL primary, and bounded; replicas connect directly."""

import pytest
from django.conf import settings
from django.db import connections
from psycopg_pool import ConnectionPool, PoolTimeout

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

POSTGRES_PRIMARIES = ["default", "users", "analytics", "cache"]


@pytest.mark.parametrize("alias", POSTGRES_PRIMARIES)
def test_pool_is_on_and_sized_from_settings(alias):
    connection = connections[alias]
    assert connection.vendor == "postgresql"
    assert isinstance(connection.pool, ConnectionPool)
    assert connection.pool.max_size == settings.DB_POOL_MAX_SIZE


def test_replicas_keep_a_persistent_connection_instead_of_a_pool():
    """A pool would make reads wait its timeout on a dead replica (manydb.topology.database_urls.as_replica)."""
    connection = connections["replica"]
    assert connection.vendor == "postgresql"
    assert connection.pool is None
    assert connection.settings_dict["CONN_MAX_AGE"] > 0


def test_pool_never_opens_more_than_its_bound(primary_admin):
    pool = connections["analytics"].pool
    held = [pool.getconn() for _ in range(pool.max_size)]
    try:
        with pytest.raises(PoolTimeout):
            pool.getconn(timeout=0.5)
        settings_dict = connections["analytics"].settings_dict
        opened = primary_admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
            [settings_dict["NAME"], settings_dict["USER"]],
        ).fetchone()[0]
        assert opened == pool.max_size  # the server sees exactly the pool's connections
    finally:
        for conn in held:
            pool.putconn(conn)
