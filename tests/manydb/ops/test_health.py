"""/health/: one entry per alias; 503 only when a critical database is down."""

import pytest
from django.db import connections

from config.aliases import ANALYTICS, DEFAULT, REPLICA, USERS

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def client(client, settings):
    """A monitor holding the health token: the details below are not for anonymous
    callers (tests/manydb/ops/test_health_access.py)."""
    settings.MANYDB_HEALTH_TOKEN = "a-token-for-tests"
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer a-token-for-tests"
    return client


def test_every_alias_reports_engine_role_and_latency(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["databases"]) == set(connections)
    for alias, entry in body["databases"].items():
        assert entry["ok"] is True, entry
        assert entry["engine"] == connections[alias].vendor
        assert entry["latency_ms"] >= 0
    assert body["databases"][DEFAULT]["role"] == "primary"
    assert body["databases"][REPLICA]["role"] == "replica"
    assert body["databases"]["legacy"]["role"] == "external"


@pytest.mark.parametrize("alias", [DEFAULT, USERS])
def test_critical_database_down_answers_503(client, database_down, alias):
    with database_down(alias):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["databases"][alias]["ok"] is False
    assert body["databases"][alias]["error"]
    assert body["databases"][ANALYTICS]["ok"] is True


def test_non_critical_database_down_still_answers_200(client, database_down):
    with database_down(ANALYTICS):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["databases"][ANALYTICS]["ok"] is False


def test_replicas_report_state_lag_and_share(client):
    client.get("/blog/")
    replicas = {row["alias"]: row for row in client.get("/health/").json()["replicas"]}
    assert replicas[REPLICA]["state"] == "up" and replicas[REPLICA]["role"] == "replica"
    assert replicas[REPLICA]["lag_seconds"] is not None
    assert replicas[REPLICA]["read_share"] == 1.0
    assert replicas[DEFAULT]["state"] == "primary"


def test_a_dead_replica_is_reported_cooling_down_without_failing_health(client, database_down):
    with database_down(REPLICA):
        response = client.get("/health/")
    assert response.status_code == 200  # a replica is not critical: reads fall back to the primary
    replicas = {row["alias"]: row for row in response.json()["replicas"]}
    assert replicas[REPLICA]["state"] == "cooling down"
    assert replicas[REPLICA]["error"]
