"""Least privilege on the real servers: the app is no superuser, the replication role only replicates.

The legacy account's SELECT-only grant is tested in test_legacy_permissions.py.
"""

import os
import secrets
import subprocess

import dj_database_url
import psycopg
import pytest
from django.db import connections

from config.aliases import ANALYTICS, CACHE, DEFAULT, USERS
from tests.real.conftest import BASE_DIR, admin_connect, init_script_environment

APP_ROLE_SCRIPT = BASE_DIR / "docker" / "postgres" / "app-role.sh"


@pytest.mark.django_db(databases=[DEFAULT, USERS, ANALYTICS, CACHE])
@pytest.mark.parametrize("alias", [DEFAULT, USERS, ANALYTICS, CACHE])
def test_the_application_role_is_no_superuser(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)


def test_the_replication_role_cannot_open_a_session():
    primary = dj_database_url.parse(os.environ["DATABASE_URL"])
    with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects"):
        psycopg.connect(
            host=primary["HOST"],
            port=primary["PORT"],
            user="replicator",
            password="replicator-local-only",
            dbname=primary["NAME"],
            connect_timeout=5,
        )


@pytest.fixture
def scratch():
    """A database and role names of our own on the primary, dropped afterwards."""
    suffix = secrets.token_hex(4)
    names = {"db": f"scratch_{suffix}", "role": f"scratch_app_{suffix}", "password": secrets.token_urlsafe(16)}
    yield names
    with admin_connect("DEVDB_PG_ADMIN_URL", "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{names["db"]}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{names["role"]}"')


def test_the_compose_init_script_makes_an_owner_without_superuser_rights(scratch):
    admin_url = dj_database_url.parse(os.environ["DEVDB_PG_ADMIN_URL"])
    with admin_connect("DEVDB_PG_ADMIN_URL", "postgres") as admin:
        admin.execute(f'CREATE DATABASE "{scratch["db"]}"')
    environment = init_script_environment(
        "DEVDB_PG_ADMIN_URL",
        POSTGRES_DB=scratch["db"],
        APP_DB_USER=scratch["role"],
        APP_DB_PASSWORD=scratch["password"],
    )
    result = subprocess.run(["bash", str(APP_ROLE_SCRIPT)], env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    as_app = {"host": admin_url["HOST"], "port": admin_url["PORT"], "dbname": scratch["db"], "autocommit": True}
    with psycopg.connect(user=scratch["role"], password=scratch["password"], **as_app) as app:
        app.execute("CREATE TABLE owned (id int)")  # owner of its schema: migrations work
        assert app.execute("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user").fetchone() == (
            False,
            False,
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("COPY owned FROM PROGRAM 'true'")  # what a superuser could do on the server
    site = dj_database_url.parse(os.environ["DATABASE_URL"])
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(user=site["USER"], password=site["PASSWORD"], **as_app)
