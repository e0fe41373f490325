"""Fixtures shared by the whole suite."""

import json
from contextlib import ExitStack, contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from manydb.ops.health import shared_health
from manydb.outbox import delivery as outbox
from manydb.replicas.breaker import replica_health
from manydb.testing import reconnect
from manydb.topology.routing_map import routing_map
from tests.factories import post_create, user_create

ALL_DATABASES = "__all__"


@pytest.fixture(autouse=True)
def fresh_replica_health():
    """Each test starts with no replica cooling down or counted: the registry is per process."""
    replica_health.reset()
    yield
    replica_health.reset()


@pytest.fixture(autouse=True)
def fresh_outbox_state():
    """Each test starts with no delivery target known to fail and no sweep due (per-process memory)."""
    outbox.process_state.reset()
    yield
    outbox.process_state.reset()


@pytest.fixture(autouse=True)
def fresh_health_probe():
    """Each test starts with no /health/ result shared from an earlier one (per-process memory)."""
    shared_health.reset()
    yield
    shared_health.reset()


@pytest.fixture
def alice(db):
    return user_create(username="alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def bob(db):
    return user_create(username="bob")


@pytest.fixture
def published_post(alice):
    return post_create(author=alice, title="Hello, six databases")


@pytest.fixture
def database_down():
    """Make an alias unreachable for real: its connections are refused or fail to open.

    SQLite gets a file in a directory that does not exist; a server engine
    gets a port nothing listens on. The alias's settings come back afterwards.
    Use it in ``transaction=True`` tests: it closes the alias's connection.
    """

    @contextmanager
    def down(alias: str):
        connection = connections[alias]
        original = connection.settings_dict
        unreachable = dict(original)
        if connection.vendor == "sqlite":
            unreachable["NAME"] = "file:/nonexistent-directory/unreachable.sqlite3?mode=ro"
        else:
            unreachable.update(HOST="127.0.0.1", PORT="9")  # discard port: connection refused
            unreachable["OPTIONS"] = {**original.get("OPTIONS", {}), "connect_timeout": 2}
            unreachable["OPTIONS"].pop("pool", None)
        reconnect(alias, unreachable)
        try:
            yield
        finally:
            reconnect(alias, original)

    return down


@pytest.fixture
def analytics_down(database_down):
    """Every analytics shard unreachable at once (``database_down`` on each of them)."""

    @contextmanager
    def down():
        with ExitStack() as stack:
            for alias in routing_map().shards_of("analytics"):
                stack.enter_context(database_down(alias))
            yield

    return down


@pytest.fixture
def sweep_at_once(settings):
    """Call it to make the outbox sweep its backlog on the next delivery, not SWEEP_SECONDS later."""

    def sweep_now():
        settings.MANYDB = {**settings.MANYDB, "OUTBOX": {**settings.MANYDB["OUTBOX"], "SWEEP_SECONDS": 0}}

    return sweep_now


@pytest.fixture
def dbmaint():
    """Run ``manage.py dbmaint ... --json``; returns (exit status, the parsed output)."""

    def run(*args: str) -> tuple[int, dict]:
        out = StringIO()
        try:
            call_command("dbmaint", *args, "--json", stdout=out, stderr=StringIO())
            status = 0
        except CommandError as exc:
            status = exc.returncode
        return status, json.loads(out.getvalue())

    return run
