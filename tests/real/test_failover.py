"""Failover on the real topology: the standby is promoted under a steady stream of requests.

The site's PostgreSQL aliases are given multi-host URLs for these tests
(both servers, ``target_session_attrs=read-write`` for primaries,
``prefer-standby`` for the replica), as a deployment with failover would
have. ``scripts/devdb promote`` stops the primary and promotes the standby;
``scripts/devdb rejoin`` makes the former primary a standby of the new one.
Every test leaves the original roles behind (promote + rejoin once more), so
the rest of the suite runs on the topology it expects.
"""

import os
import threading
import time

import dj_database_url
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from manydb.failover.servers import servers
from manydb.testing import reconnect
from manydb.topology.database_urls import as_replica, database_from_url
from tests.factories import post_create, user_create
from tests.real.conftest import admin_connect, blog_selects, devdb, restore_original_roles
from tests.real.traffic import SiteClient, Tally, read_pages, write_posts

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PRIMARIES = ["default", "users", "analytics", "cache"]
WRITERS, READERS = 4, 4


def _admin(variable: str) -> dict:
    return dj_database_url.parse(os.environ[variable])


def _port(variable: str) -> int:
    return int(_admin(variable)["PORT"])


@pytest.fixture
def multi_host(live_server):
    """Every PostgreSQL alias lists both servers, for this test; the originals come back after."""
    first, second = _port("DEVDB_PG_ADMIN_URL"), _port("DEVDB_REPLICA_ADMIN_URL")
    originals = {alias: connections[alias].settings_dict for alias in [*PRIMARIES, "replica"]}
    for alias, original in originals.items():
        ports = (second, first) if alias == "replica" else (first, second)
        attrs = "prefer-standby" if alias == "replica" else "read-write"
        url = (
            f"postgres://{original['USER']}:{original['PASSWORD']}@127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}"
            f"/{original['NAME']}?target_session_attrs={attrs}"
        )
        config = database_from_url(
            url,
            alias=alias,
            variable="DATABASE_URL",
            base_dir=settings.BASE_DIR,
            pool_max_size=settings.DB_POOL_MAX_SIZE,
            connect_timeout=2,
        )
        config = as_replica(config) if alias == "replica" else config
        reconnect(alias, {**original, **config, "TEST": original.get("TEST", {})})
    servers.reset()
    yield live_server.url
    try:
        restore_original_roles()
    finally:
        for alias, original in originals.items():
            reconnect(alias, original)
        servers.reset()


def stream(base_url: str, tally: Tally, stop: threading.Event, paths: list[str]) -> list[threading.Thread]:
    threads = []
    for n in range(WRITERS):
        author = user_create(username=f"writer{n}")
        client = Client()
        client.force_login(author)
        site = SiteClient(base_url, cookies={"sessionid": client.cookies["sessionid"].value})
        threads.append(threading.Thread(target=write_posts, args=(site, f"writer{n}", tally, stop)))
    for n in range(READERS):
        threads.append(
            threading.Thread(target=read_pages, args=(SiteClient(base_url), f"reader{n}", paths, tally, stop))
        )
    for thread in threads:
        thread.start()
    return threads


def test_promotion_and_rejoin_under_a_steady_stream_of_requests(multi_host):
    post = post_create(author=user_create(username="author"), title="Before the failover")
    staff = Client()
    staff.force_login(user_create(username="operator", is_staff=True))
    health_before = primary_of(staff, "default")
    assert health_before["role"] == "primary"
    assert health_before["server"].endswith(str(_port("DEVDB_PG_ADMIN_URL")))
    tally, stop = Tally(), threading.Event()
    threads = stream(multi_host, tally, stop, ["/blog/", post.get_absolute_url()])
    try:
        deadline = time.monotonic() + 15
        while len(tally.acknowledged) < WRITERS and time.monotonic() < deadline:
            time.sleep(0.1)
        acknowledged_before = len(tally.acknowledged)
        devdb("promote")
        promoted_at = time.monotonic()
        while time.monotonic() < promoted_at + 5 and not any(t > promoted_at for t, _ in tally.acknowledged):
            time.sleep(0.1)
        time.sleep(0.5)  # a little more traffic on the new primary
        first_write = min((t for t, _ in tally.acknowledged if t > promoted_at), default=None)
        for alias in PRIMARIES:  # this thread's own connections died with the old primary
            connections[alias].close()
        health_after = primary_of(staff, "default")
        dashboard = staff.get("/dashboard/").content.decode()

        # The former primary comes back as it was: a second primary, on the old timeline.
        devdb("revive")
        revived_at = time.monotonic()
        dbname = connections["default"].settings_dict["NAME"]
        with admin_connect("DEVDB_PG_ADMIN_URL", dbname) as former_primary:
            posts_on_former_primary = former_primary.execute("SELECT count(*) FROM blog_post").fetchone()[0]
            for alias in PRIMARIES:  # every alias makes new connections now, through the host list
                connections[alias].pool.drain()
            deadline = time.monotonic() + 10
            while sum(t > revived_at + 1 for t, _ in tally.acknowledged) < WRITERS and time.monotonic() < deadline:
                time.sleep(0.1)
            writes_during_revival = sum(t > revived_at for t, _ in tally.acknowledged)
            posts_after = former_primary.execute("SELECT count(*) FROM blog_post").fetchone()[0]
        fenced = servers.fenced("default")

        devdb("rejoin")  # the former primary streams from the new one
        rejoined_at = time.monotonic()
        with admin_connect("DEVDB_PG_ADMIN_URL", connections["default"].settings_dict["NAME"]) as former_primary:
            before = blog_selects(former_primary)
            deadline = time.monotonic() + 10
            while blog_selects(former_primary) == before and time.monotonic() < deadline:
                time.sleep(0.2)
            reads_on_former_primary = blog_selects(former_primary) - before
            in_recovery = former_primary.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    print(
        f"\nfailover: fenced {fenced}, {writes_during_revival} writes while revived; "
        f"{len(tally.ok)} pages, {len(tally.acknowledged)} writes, "
        f"{len(tally.unavailable)} failed (503) {tally.failed_per_client()}, "
        f"first write {None if first_write is None else round(first_write - promoted_at, 2)} s after promotion, "
        f"reads on the rejoined server {reads_on_former_primary} within {time.monotonic() - rejoined_at:.1f} s"
    )
    assert not tally.errors, tally.errors[:5]
    assert acknowledged_before > 0, "the stream was not flowing before the promotion"
    assert first_write is not None and first_write - promoted_at < 3, "no write succeeded within 3 s of the promotion"
    failed_at_promotion = Tally(unavailable=[(t, name) for t, name in tally.unavailable if t < revived_at])
    assert all(count <= 2 for count in failed_at_promotion.failed_per_client().values()), tally.failed_per_client()
    assert not tally.stale, f"a writer did not see its own post: {tally.stale[:5]}"

    # Every acknowledged write is on the new primary.
    titles = [title for _, title in tally.acknowledged]
    with admin_connect("DEVDB_REPLICA_ADMIN_URL", connections["default"].settings_dict["NAME"]) as new_primary:
        kept = {row[0] for row in new_primary.execute("SELECT title FROM blog_post WHERE title = ANY(%s)", [titles])}
    assert set(titles) == kept, f"lost acknowledged writes: {sorted(set(titles) - kept)[:5]}"

    # Revived as a second primary, the former one was fenced off: writes went on, none reached it.
    assert fenced == {f"127.0.0.1:{_port('DEVDB_PG_ADMIN_URL')}"}
    assert writes_during_revival >= WRITERS
    assert posts_after == posts_on_former_primary

    # Rejoined, the former primary is a standby, and reads flow to it again.
    assert in_recovery is True
    assert reads_on_former_primary > 0

    # /health/ shows the new primary, its timeline and when this process saw the change.
    assert health_after["server"].endswith(str(_port("DEVDB_REPLICA_ADMIN_URL")))
    assert health_after["timeline"] == health_before["timeline"] + 1
    assert health_after["changed_at"] is not None
    assert health_after["previous"] == f"{health_before['server']} (timeline {health_before['timeline']})"
    # So does the dashboard.
    card = dashboard[dashboard.index('id="primaries"') :]
    assert f"<code>{health_after['server']}</code>" in card and f"was <code>{health_after['previous']}</code>" in card


def primary_of(staff: Client, alias: str) -> dict:
    """The /health/ row of ``alias``, as staff sees it (details are for staff only)."""
    response = staff.get("/health/")
    return next(row for row in response.json()["primaries"] if row["alias"] == alias)
