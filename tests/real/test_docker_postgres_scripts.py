"""docker/postgres/*.sh against real PostgreSQL servers, as the postgres:17 image runs them.

primary-init.sh runs in a fresh cluster the way the image's entrypoint runs
/docker-entrypoint-initdb.d/ (initdb as POSTGRES_USER, a temporary socket-only
server, POSTGRES_DB created, the script executed with the entrypoint's
environment); the server is then restarted with TCP, as the image does. The
replica's entrypoint then clones that primary through a stand-in for the
image's docker-entrypoint.sh, which for an initialised PGDATA only execs the
server. PGHOST/PGPORT name the temporary directory's socket and port, which in
the image are psql's defaults (/var/run/postgresql, 5432).
"""

import shutil
import signal
import subprocess
import time

import psycopg
import pytest

from tests.real.fresh_servers import (
    DOCKER,
    as_pg,
    free_port,
    pg_bindir,
    pg_os_user,
    run,
    scratch_dir,
    stop_group,
    wait_until,
    write_script,
)

SUPERUSER, SUPERUSER_PASSWORD, DATABASE = "app", "local-only-postgres-password", "blog"
REPLICATION = {
    "REPLICATION_USER": "replicator",
    "REPLICATION_PASSWORD": "local-only-replication-password",
    "REPLICATION_SLOT": "replica_slot",
}
# docker-compose.yml's `replica` command.
REPLICA_COMMAND = ["postgres", "-c", "hot_standby=on", "-c", "hot_standby_feedback=on"]


class Cluster:
    def __init__(self, root, name, port):
        self.bindir = pg_bindir()
        self.data, self.sockets, self.port = root / name, root / "run", port
        self.log = root / f"{name}.log"

    def env(self, **extra) -> dict:
        return {"PATH": f"{self.bindir}:/usr/bin:/bin", "PGDATA": str(self.data), "LANG": "C.UTF-8", **extra}

    def pg_ctl(self, *args: str) -> None:
        run(as_pg([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args]), self.env())

    def start(self, listen: str) -> None:
        options = f"-c listen_addresses='{listen}' -p {self.port} -c unix_socket_directories='{self.sockets}'"
        self.pg_ctl("-w", "-o", options, "start")

    def connect(self, user=SUPERUSER, password=SUPERUSER_PASSWORD, dbname=DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=user, password=password, dbname=dbname, autocommit=True
        )


@pytest.fixture(scope="module")
def root():
    path = scratch_dir("pgscripts-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def init_primary(root, name: str) -> "Cluster":
    """A fresh cluster initialised as postgres:17's entrypoint does it, primary-init.sh included."""
    cluster = Cluster(root, name, free_port())
    if not cluster.sockets.exists():
        cluster.sockets.mkdir(mode=0o755)
        if user := pg_os_user():
            shutil.chown(cluster.sockets, user)
    password_file = root / "pwfile"
    password_file.write_text(SUPERUSER_PASSWORD + "\n")
    password_file.chmod(0o644)
    # docker_init_database_dir, then pg_setup_hba_conf.
    run(
        as_pg([str(cluster.bindir / "initdb"), f"--username={SUPERUSER}", f"--pwfile={password_file}", "--no-sync"]),
        cluster.env(),
    )
    with open(cluster.data / "pg_hba.conf", "a") as hba:
        hba.write("\nhost all all all scram-sha-256\n")
    # docker_temp_server_start: no TCP while the init scripts run.
    cluster.start(listen="")
    socket_env = {"PGHOST": str(cluster.sockets), "PGPORT": str(cluster.port)}
    # docker_setup_db.
    run(
        [str(cluster.bindir / "psql"), "-X", "-U", SUPERUSER, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"],
        cluster.env(**socket_env),
    )
    init = run(
        as_pg([str(DOCKER / "postgres" / "primary-init.sh")]),
        cluster.env(
            POSTGRES_USER=SUPERUSER,
            POSTGRES_DB=DATABASE,
            POSTGRES_PASSWORD=SUPERUSER_PASSWORD,
            PGPASSWORD=SUPERUSER_PASSWORD,
            **socket_env,
            **REPLICATION,
        ),
    )
    assert "created replication role 'replicator' and slot 'replica_slot'" in init.stdout
    # docker_temp_server_stop, then `exec postgres` with TCP.
    cluster.pg_ctl("-m", "fast", "-w", "stop")
    cluster.start(listen="127.0.0.1")
    return cluster


@pytest.fixture(scope="module")
def primary(root):
    cluster = init_primary(root, "primary")
    yield cluster
    cluster.pg_ctl("-m", "immediate", "-w", "stop")


def start_replica(root, primary, name: str, slot: str, path_prefix: str = "") -> tuple:
    """replica-entrypoint.sh as the `replica` service runs it, in a session of its own."""
    replica = Cluster(root, name, free_port())
    # For an initialised PGDATA the image's entrypoint skips initdb and execs the server.
    stand_in = write_script(
        root / "image-bin" / "docker-entrypoint.sh",
        '#!/bin/sh\n[ "$1" = postgres ] && shift\n'
        'exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -p "$STANDBY_PORT" '
        '-c unix_socket_directories="$STANDBY_SOCKETS" "$@"\n',
    )
    env = replica.env(
        PRIMARY_HOST="127.0.0.1",
        PRIMARY_PORT=str(primary.port),
        STANDBY_PORT=str(replica.port),
        STANDBY_SOCKETS=str(primary.sockets),
        **{**REPLICATION, "REPLICATION_SLOT": slot},
    )
    env["PATH"] = f"{path_prefix}{stand_in.parent}:{env['PATH']}"
    log = open(replica.log, "a")
    process = subprocess.Popen(
        as_pg(["bash", str(DOCKER / "postgres" / "replica-entrypoint.sh"), *REPLICA_COMMAND]),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd="/",
        start_new_session=True,
    )
    return replica, process


def streaming(replica) -> bool:
    try:
        with replica.connect() as conn:
            return conn.execute(
                "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')"
            ).fetchone()[0]
    except psycopg.OperationalError:
        return False


def test_primary_init_makes_a_role_that_may_replicate_and_nothing_else(primary):
    with primary.connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS posts (id int)")
        role = conn.execute(
            "SELECT rolreplication, rolsuper, rolcanlogin FROM pg_roles WHERE rolname = 'replicator'"
        ).fetchone()
    assert role == (True, False, True)
    with primary.connect("replicator", REPLICATION["REPLICATION_PASSWORD"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM posts")


def test_primary_init_reserves_wal_in_a_slot_from_the_start(primary):
    with primary.connect() as conn:
        slot = conn.execute(
            "SELECT slot_type, restart_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = 'replica_slot'"
        ).fetchone()
    assert slot == ("physical", True)


def test_the_replica_entrypoint_clones_a_standby_that_streams_and_replays(root, primary):
    replica, process = start_replica(root, primary, "replica", "replica_slot")
    try:
        wait_until(lambda: streaming(replica), 120, "the replica did not stream from the primary")
        with primary.connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS replicated (note text)")
            conn.execute("INSERT INTO replicated VALUES ('written after the clone')")
            names = conn.execute("SELECT application_name FROM pg_stat_replication").fetchall()
        assert ("replica",) in names

        def replayed():
            with replica.connect() as conn:
                exists = conn.execute("SELECT to_regclass('replicated') IS NOT NULL").fetchone()[0]
                return exists and conn.execute("SELECT note FROM replicated").fetchall() == [
                    ("written after the clone",)
                ]

        wait_until(replayed, 30, "the standby did not replay a write made on the primary")
        with replica.connect() as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO replicated VALUES ('on the standby')")
    finally:
        stop_group(process)


def test_a_clone_interrupted_half_way_is_started_over(root, primary):
    with primary.connect() as conn:
        conn.execute("SELECT pg_create_physical_replication_slot('interrupted_slot', true)")
    # pg_basebackup at its slowest rate, so the clone can be killed half-way.
    slow = write_script(
        root / "slow-bin" / "pg_basebackup",
        f'#!/bin/sh\nexec "{primary.bindir}/pg_basebackup" --max-rate=32k "$@"\n',
    )
    replica, process = start_replica(root, primary, "interrupted", "interrupted_slot", f"{slow.parent}:")
    clone = replica.data / ".clone"
    wait_until(lambda: clone.is_dir() and len(list(clone.rglob("*"))) > 20, 60, "the clone did not start")
    time.sleep(1)
    stop_group(process, signal.SIGKILL)  # a container killed mid-clone
    assert not (replica.data / "PG_VERSION").exists(), "a half-made clone looks like a cluster to the image"

    # The killed pg_basebackup's walsender still holds the slot until the
    # primary notices the dead connection (a container restart is slower
    # than this test); end it, as that timeout would.
    with primary.connect() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'interrupted_slot'"
        )
        wait_until(
            lambda: not conn.execute(
                "SELECT active FROM pg_replication_slots WHERE slot_name = 'interrupted_slot'"
            ).fetchone()[0],
            30,
            "the slot stayed active",
        )

    replica, process = start_replica(root, primary, "interrupted", "interrupted_slot")
    try:
        wait_until(lambda: streaming(replica), 120, "the restarted replica did not stream")
        assert "discarding an interrupted clone" in replica.log.read_text()
        assert not clone.exists()
    finally:
        stop_group(process)


def test_a_copy_of_a_recreated_primary_refuses_to_start(root, primary):
    """A standby's copy, then its primary made anew (another initdb, as a recreated `db` volume
    gets): the entrypoint says so instead of waiting forever for WAL that never comes."""
    with primary.connect() as conn:
        conn.execute("SELECT pg_create_physical_replication_slot('orphan_slot', true)")
    replica, process = start_replica(root, primary, "orphan", "orphan_slot")
    try:
        wait_until(lambda: (replica.data / "PG_VERSION").exists(), 120, "the clone did not finish")
    finally:
        stop_group(process)
    recreated = init_primary(root, "recreated")
    try:
        env = replica.env(PRIMARY_HOST="127.0.0.1", PRIMARY_PORT=str(recreated.port), **REPLICATION)
        result = subprocess.run(
            as_pg(["bash", str(DOCKER / "postgres" / "replica-entrypoint.sh"), *REPLICA_COMMAND]),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
    finally:
        recreated.pg_ctl("-m", "immediate", "-w", "stop")
    assert result.returncode == 1
    assert "is a copy of another cluster" in result.stderr and "recreate the replica's" in result.stderr
