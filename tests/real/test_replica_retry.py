"""A standby that comes and goes costs no page load: reads that meet it going away are read again elsewhere.

Twenty clients load pages while the standby is stopped and started for real
(``scripts/devdb replica-stop`` / ``replica-start``). A read already sent to
the standby when it stops fails there and is repeated on the primary within
the same request (``manydb.replicas.retry``); the next requests skip the
standby until it is back. The full-length run (60 s, every 10 s) is
``bench/replica_churn.py``.
"""

import threading
import time

import pytest
from django.db import connections

from manydb.replicas.breaker import replica_health
from manydb.testing import reconnect
from tests.factories import post_create, user_create
from tests.real.conftest import devdb
from tests.real.traffic import SiteClient, Tally, read_pages

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CLIENTS = 20
PRIMARIES = ["default", "users", "analytics", "cache"]
CYCLES = 2  # stop + start of the standby


@pytest.fixture
def standby_comes_back():
    yield
    devdb("replica-start")  # idempotent: streaming again whatever the test did


@pytest.fixture
def pools_for_twenty():
    """Pools as large as the clients: the connections five workers with DB_POOL_MAX_SIZE=4 would have.

    The live server is one process serving every client in a thread of its
    own; with its usual four connections per alias, twenty concurrent
    clients would wait on the pool whatever the standby does.
    """
    originals = {alias: connections[alias].settings_dict for alias in PRIMARIES}
    for alias, original in originals.items():
        options = {**original["OPTIONS"], "pool": {**original["OPTIONS"]["pool"], "max_size": CLIENTS}}
        reconnect(alias, {**original, "OPTIONS": options})
    yield
    for alias, original in originals.items():
        reconnect(alias, original)


def test_twenty_clients_see_no_failed_page_while_the_standby_stops_and_starts(
    live_server, pools_for_twenty, standby_comes_back, settings, caplog
):
    # A short cool-down, so the standby is back in use before each stop and every stop meets reads in flight.
    settings.MANYDB = {**settings.MANYDB, "REPLICA_READS": {"COOLDOWN_SECONDS": 0.5}}
    author = user_create(username="author")
    posts = [post_create(author=author, title=f"Churn {n}") for n in range(3)]
    paths = ["/blog/", *(post.get_absolute_url() for post in posts)]
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=read_pages, args=(SiteClient(live_server.url), f"client{n}", paths, tally, stop))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in range(CYCLES):
            time.sleep(1)
            devdb("replica-stop")
            time.sleep(1)
            devdb("replica-start")
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    standby = next(row for row in replica_health.snapshot(["replica"]))
    repeated = sum("repeating it on" in record.getMessage() for record in caplog.records)
    print(f"\nstandby churn: {len(tally.ok)} page loads, {repeated} reads repeated, {len(tally.unavailable)} failed")
    assert len(tally.ok) > CLIENTS * CYCLES  # the clients really ran through the churn
    assert standby["reads_served"] > 0  # the standby really served some of it
    assert repeated > 0  # and reads really met it going away
    assert not tally.errors, tally.errors[:5]
    assert not tally.unavailable, f"{len(tally.unavailable)} page loads failed: {tally.failed_per_client()}"
