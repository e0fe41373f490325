"""Finding 4: /health/ tells strangers only up or down, and a flood of calls costs one probe."""

import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client

from config.aliases import ANALYTICS, DEFAULT
from manydb.ops import health

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

DETAILS = {"engine", "role", "latency_ms", "error"}


def test_anonymous_callers_get_status_only(client, database_down):
    with database_down(ANALYTICS):
        body = client.get("/health/").json()
    assert set(body) == {"status", "databases"}
    assert body["databases"] == {alias: {"ok": alias != ANALYTICS} for alias in connections}


def test_staff_and_the_token_get_the_details(client, settings, django_user_model):
    settings.MANYDB_HEALTH_TOKEN = "monitor-token-for-tests"
    with_token = client.get("/health/", HTTP_AUTHORIZATION="Bearer monitor-token-for-tests").json()
    assert DETAILS <= set(with_token["databases"][DEFAULT]) and "replicas" in with_token
    wrong = client.get("/health/", HTTP_AUTHORIZATION="Bearer guessed").json()
    assert "replicas" not in wrong and set(wrong["databases"][DEFAULT]) == {"ok"}
    client.force_login(django_user_model.objects.create_user("operator", password="x", is_staff=True))
    assert DETAILS <= set(client.get("/health/").json()["databases"][DEFAULT])
    client.force_login(django_user_model.objects.create_user("member", password="x"))
    assert set(client.get("/health/").json()["databases"][DEFAULT]) == {"ok"}


def test_without_a_token_configured_no_bearer_sees_details(client, settings):
    settings.MANYDB_HEALTH_TOKEN = ""
    body = client.get("/health/", HTTP_AUTHORIZATION="Bearer ").json()
    assert "replicas" not in body


def test_concurrent_calls_with_a_dead_database_share_one_probe(settings, database_down, monkeypatch):
    settings.MANYDB_HEALTH_SHARE_SECONDS = 60
    checks, replica_probes = Counter(), Counter()
    real_check, real_probe = health.check_alias, health.probe_and_record

    def counting_check(alias):
        checks[alias] += 1
        return real_check(alias)

    def counting_probe(alias):
        replica_probes[alias] += 1
        return real_probe(alias)

    monkeypatch.setattr(health, "check_alias", counting_check)
    monkeypatch.setattr(health, "probe_and_record", counting_probe)
    callers = 16
    start = threading.Barrier(callers)
    responses = []

    def call():
        try:
            start.wait()
            responses.append(Client().get("/health/"))
        finally:
            connections.close_all()

    with database_down(ANALYTICS):
        threads = [threading.Thread(target=call) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(responses) == callers
    assert all(r.status_code == 200 and r.json()["databases"][ANALYTICS] == {"ok": False} for r in responses)
    # One probe per alias for sixteen callers: the dead database was tried once.
    assert checks == Counter({alias: 1 for alias in connections})
    assert all(count == 1 for count in replica_probes.values())


def test_a_result_older_than_the_interval_is_probed_again(client, settings, monkeypatch):
    calls = []
    real = health.check_all
    monkeypatch.setattr(health, "check_all", lambda: calls.append(1) or real())
    settings.MANYDB_HEALTH_SHARE_SECONDS = 60
    client.get("/health/")
    client.get("/health/")
    assert len(calls) == 1
    settings.MANYDB_HEALTH_SHARE_SECONDS = 0
    client.get("/health/")
    assert len(calls) == 2
