"""No stack trace for a visitor: a page whose database is down answers a clean 503."""

import pytest

from config.aliases import DEFAULT, REPLICA

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_blog_with_its_databases_down_answers_a_friendly_503(client, database_down):
    with database_down(REPLICA), database_down(DEFAULT):
        response = client.get("/blog/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Temporarily unavailable" in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_unknown_page_is_a_plain_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


@pytest.mark.urls("tests.manydb.urls")
def test_a_get_that_writes_goes_to_the_primary_and_pins_the_client(client, settings):
    # The time window makes "pinned" observable on every engine; tests/real
    # covers log positions on a lagging standby.
    settings.MANYDB = {**settings.MANYDB, "REPLICA_READS": {"CAUSAL_TOKENS": "time"}}
    cookie = "manydb_rw"
    response = client.get("/get-that-writes/")
    assert response.status_code == 200
    assert response.json()["read_from"] == DEFAULT  # the same request reads its own write
    assert cookie in response.cookies and response.cookies[cookie]["httponly"]
    assert client.get("/where-reads-go/").json()["read_from"] == DEFAULT  # the next one too


@pytest.mark.urls("tests.manydb.urls")
def test_other_clients_are_not_pinned(client):
    from django.test import Client

    client.get("/get-that-writes/")
    assert Client().get("/where-reads-go/").json()["read_from"] == REPLICA


@pytest.mark.urls("tests.manydb.urls")
def test_the_pin_ends_and_the_cookie_goes_once_it_is_no_longer_needed(client, settings):
    settings.MANYDB = {**settings.MANYDB, "REPLICA_READS": {"CAUSAL_TOKENS": "time", "FALLBACK_PIN_SECONDS": 0.2}}
    client.get("/get-that-writes/")
    import time

    time.sleep(0.3)
    response = client.get("/where-reads-go/")
    assert response.json()["read_from"] == REPLICA
    assert response.cookies["manydb_rw"].value == ""  # deleted


@pytest.mark.urls("tests.manydb.urls")
def test_a_forged_cookie_is_ignored_and_dropped(client):
    client.cookies["manydb_rw"] = "forged-token-value"
    response = client.get("/where-reads-go/")
    assert response.json()["read_from"] == REPLICA
    assert response.cookies["manydb_rw"].value == ""


@pytest.mark.urls("tests.manydb.urls")
def test_async_requests_run_side_by_side_keep_their_own_routing(async_client):
    """Two requests in one event loop: the writer's pin never leaks to the other task."""
    import asyncio

    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    async def both():
        return await asyncio.gather(async_client.get("/get-that-writes/"), AsyncClient().get("/async-where-reads-go/"))

    writer, reader = async_to_sync(both)()
    assert writer.json()["read_from"] == DEFAULT
    assert reader.json()["read_from"] == REPLICA


def test_the_503_page_ships_with_the_core(client, database_down, settings):
    """Without the project's override, the core's own standalone page answers."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]
    with database_down(REPLICA), database_down(DEFAULT):
        response = client.get("/blog/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert [t.origin.name for t in response.templates][0].endswith("manydb/templates/manydb/database_unavailable.html")
