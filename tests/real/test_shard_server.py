"""The shard server scripts/devdb builds: analytics' second shard on a PostgreSQL server of its own.

It must be another server, not another database on the primary (or the
two-server benchmark and the shard fault tests would measure one server), the
site's role must be able to do there what Django's test runner does, and the
script's `destroy` must leave no server behind.
"""

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.db import connections

from tests.real.conftest import BASE_DIR, DEVDB, admin_connect, connect, init_script_environment
from tests.real.fresh_servers import free_port, wait_until

MORE_DATABASES_SCRIPT = BASE_DIR / "docker" / "postgres" / "more-databases.sh"
APP_ROLE_SCRIPT = BASE_DIR / "docker" / "postgres" / "app-role.sh"


def url(variable: str) -> dict:
    return dj_database_url.parse(os.environ[variable])


def identity(variable: str) -> tuple[int, int]:
    """(port, system_identifier) of the server behind an admin URL, asked of the server itself."""
    with admin_connect(variable, "postgres") as conn:
        port = int(conn.execute("SHOW port").fetchone()[0])
        system_identifier = conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0]
    return port, system_identifier


def test_the_second_shard_lives_on_a_server_of_its_own():
    primary, shard = identity("DEVDB_PG_ADMIN_URL"), identity("DEVDB_SHARD_ADMIN_URL")
    assert primary[0] != shard[0]
    # Another initdb, not a copy of the primary: a distinct system identifier.
    assert primary[1] != shard[1]
    assert url("ANALYTICS_2_DATABASE_URL")["PORT"] == shard[0]
    assert url("ANALYTICS_DATABASE_URL")["PORT"] == primary[0]
    assert os.environ["ANALYTICS_SHARDS"] == "2"


def test_the_site_role_owns_the_shard_database_and_is_no_superuser():
    config = url("ANALYTICS_2_DATABASE_URL")
    with connect("ANALYTICS_2_DATABASE_URL") as conn:
        row = conn.execute(
            """SELECT pg_get_userbyid(d.datdba), r.rolsuper, r.rolcreatedb,
                      EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements')
               FROM pg_database d, pg_roles r
               WHERE d.datname = current_database() AND r.rolname = current_user"""
        ).fetchone()
    assert row == (config["USER"], False, True, True)


def test_the_site_role_can_create_a_test_database_on_the_shard_server():
    """What Django's test runner does for analytics_2 (test_site_analytics_2), under a name of our own."""
    name = f"test_probe_{secrets.token_hex(4)}"
    with connect("ANALYTICS_2_DATABASE_URL", "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            with connect("ANALYTICS_2_DATABASE_URL", name, autocommit=True) as test_db:
                test_db.execute("CREATE TABLE analytics_event (id bigserial PRIMARY KEY, user_id int)")
                test_db.execute("INSERT INTO analytics_event (user_id) VALUES (1)")
                # Made from template1, so the test database has the statistics view too.
                assert test_db.execute("SELECT count(*) FROM pg_stat_statements").fetchone()[0] >= 0
        finally:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.django_db(databases=["analytics_2"])
def test_the_test_runner_made_the_second_shards_test_database_on_the_shard_server():
    with connections["analytics_2"].cursor() as cursor:
        cursor.execute("SELECT current_database(), inet_server_port(), system_identifier FROM pg_control_system()")
        name, port, system_identifier = cursor.fetchone()
    assert name == "test_site_analytics_2"
    assert (port, system_identifier) == identity("DEVDB_SHARD_ADMIN_URL")


@pytest.fixture
def scratch_role():
    suffix = secrets.token_hex(4)
    names = {"role": f"scratch_app_{suffix}", "password": secrets.token_urlsafe(16), "db": f"scratch_{suffix}"}
    names["more"] = [f"{names['db']}_2", f"{names['db']}_3"]
    yield names
    with admin_connect("DEVDB_SHARD_ADMIN_URL", "postgres") as admin:
        for db in [names["db"], *names["more"]]:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{names["role"]}"')


def test_the_compose_script_makes_more_databases_owned_by_the_app_role_alone(scratch_role):
    """docker/postgres/more-databases.sh after app-role.sh, as the analytics container runs them."""
    admin = url("DEVDB_SHARD_ADMIN_URL")
    with admin_connect("DEVDB_SHARD_ADMIN_URL", "postgres") as conn:
        conn.execute(f'CREATE DATABASE "{scratch_role["db"]}"')
    environment = init_script_environment(
        "DEVDB_SHARD_ADMIN_URL",
        POSTGRES_DB=scratch_role["db"],
        APP_DB_USER=scratch_role["role"],
        APP_DB_PASSWORD=scratch_role["password"],
        APP_MORE_DATABASES=" ".join(scratch_role["more"]),
    )
    for script in (APP_ROLE_SCRIPT, MORE_DATABASES_SCRIPT):
        result = subprocess.run(["bash", str(script)], env=environment, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    as_app = {"host": admin["HOST"], "port": admin["PORT"], "autocommit": True}
    for db in scratch_role["more"]:
        with psycopg.connect(user=scratch_role["role"], password=scratch_role["password"], dbname=db, **as_app) as app:
            app.execute("CREATE TABLE analytics_event (id bigint PRIMARY KEY)")  # owns the schema: migrations work
            assert (
                app.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'").fetchone()[0] == 1
            )
        # Nobody else may connect (the site role is another non-superuser on this server).
        site = url("ANALYTICS_2_DATABASE_URL")
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(user=site["USER"], password=site["PASSWORD"], dbname=db, **as_app)


def devdb_in(state_dir: Path, *args: str, ports: dict[str, int]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DEVDB_DIR": str(state_dir), **{name: str(port) for name, port in ports.items()}}
    return subprocess.run([str(DEVDB), *args], env=environment, capture_output=True, text=True, timeout=300)


def listening(port: int) -> bool:
    try:
        psycopg.connect(host="127.0.0.1", port=port, user="nobody", dbname="postgres", connect_timeout=2).close()
    except psycopg.OperationalError as error:
        return "Connection refused" not in str(error)
    return True


def test_down_and_destroy_stop_the_shard_server():
    """A topology of its own, on free ports, so the suite's servers are untouched."""
    state_dir = Path(tempfile.mkdtemp(prefix="devdb-shard-", dir="/tmp"))
    state_dir.chmod(0o755)  # as root, PostgreSQL runs as another user, who must reach it
    ports = {
        "DEVDB_PG_PORT": free_port(),
        "DEVDB_REPLICA_PORT": free_port(),
        "DEVDB_MYSQL_PORT": free_port(),
        "DEVDB_SHARD_PORT": free_port(),
    }
    try:
        up = devdb_in(state_dir, "up", ports=ports)
        assert up.returncode == 0, up.stderr
        shard_pid = int((state_dir / "pg-shard" / "postmaster.pid").read_text().split()[0])
        status = devdb_in(state_dir, "status", ports=ports)
        assert status.returncode == 0 and "pg-shard    running" in status.stdout, status.stdout
        env_file = (state_dir / "devdb.env").read_text()
        assert f"ANALYTICS_2_DATABASE_URL=postgres://site:site-local-only@127.0.0.1:{ports['DEVDB_SHARD_PORT']}/" in (
            env_file
        )

        down = devdb_in(state_dir, "down", ports=ports)
        assert down.returncode == 0, down.stderr
        assert not Path(f"/proc/{shard_pid}").exists() and not listening(ports["DEVDB_SHARD_PORT"])
        status = devdb_in(state_dir, "status", ports=ports)
        assert status.returncode == 1 and "pg-shard    STOPPED" in status.stdout
        assert devdb_in(state_dir, "env", ports=ports).returncode == 1

        up = devdb_in(state_dir, "up", ports=ports)
        assert up.returncode == 0, up.stderr
        shard_pid = int((state_dir / "pg-shard" / "postmaster.pid").read_text().split()[0])
        assert listening(ports["DEVDB_SHARD_PORT"])
        destroy = devdb_in(state_dir, "destroy", ports=ports)
        assert destroy.returncode == 0, destroy.stderr
        wait_until(lambda: not Path(f"/proc/{shard_pid}").exists(), 30, "the shard server outlived destroy")
        assert not listening(ports["DEVDB_SHARD_PORT"]) and not state_dir.exists()
    finally:
        if state_dir.exists():
            devdb_in(state_dir, "destroy", ports=ports)
            shutil.rmtree(state_dir, ignore_errors=True)
