"""A locked table costs its own sections, bounded by the budget the database enforces.

Another session really holds the lock (PostgreSQL's LOCK TABLE, MariaDB's
LOCK TABLES) for as long as the request runs; without a budget the request
would wait for it. The bounds are generous on purpose: this checks that the
deadline holds, it is not a benchmark (bench/dashboard.py measures).
"""

import os
import threading
import time
from contextlib import ExitStack, contextmanager

import dj_database_url
import pytest
from django.db import connections
from django.test import Client

from apps.analytics.models import Event
from config.aliases import ANALYTICS, LEGACY, USERS
from manydb import shard_of, statement_deadline
from manydb.models import OutboxMessage
from tests.factories import events_everywhere, post_create, user_create
from tests.real.conftest import admin_connect, admin_variable_of
from tests.rows import analytics_shards

MySQLdb = pytest.importorskip("MySQLdb", reason="the MySQL driver is not installed: make test-real installs it")

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
BOUND = 3.0  # seconds; the lock would hold for LOCK_SECONDS
LOCK_SECONDS = 10


SHARDS = analytics_shards()


@pytest.fixture(autouse=True)
def fresh_analytics_pool():
    """Leave no idle analytics connection in the pool: the next test's outage must find none."""
    yield
    for alias in SHARDS:
        connections[alias].close()
        connections[alias].close_pool()


@contextmanager
def shard_locked(alias: str):
    """Another PostgreSQL session holds analytics_event on one shard in ACCESS EXCLUSIVE mode
    (released on exit)."""
    with admin_connect(admin_variable_of(alias), connections[alias].settings_dict["NAME"]) as admin:
        admin.autocommit = False
        admin.execute(f"SET LOCAL lock_timeout = '{LOCK_SECONDS}s'")
        admin.execute("LOCK TABLE analytics_event IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            admin.rollback()


@contextmanager
def analytics_locked():
    """Every analytics shard's events table held by another session."""
    with ExitStack() as stack:
        for alias in SHARDS:
            stack.enter_context(shard_locked(alias))
        yield


@contextmanager
def orders_locked():
    """Another MariaDB session holds the legacy orders table with LOCK TABLES ... WRITE."""
    config = dj_database_url.parse(os.environ["DEVDB_MYSQL_ADMIN_URL"])
    admin = MySQLdb.connect(
        user=config["USER"],
        unix_socket=config["OPTIONS"]["unix_socket"],
        database=connections[LEGACY].settings_dict["NAME"],
    )
    try:
        admin.cursor().execute("LOCK TABLES orders WRITE")
        yield
    finally:
        admin.cursor().execute("UNLOCK TABLES")
        admin.close()


def timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


@pytest.fixture
def staff(db):
    return user_create(username="sam", is_staff=True)


def test_a_locked_postgresql_table_times_out_its_sections_and_the_rest_arrives(client, staff):
    post_create(author=staff, title="Still listed")
    client.force_login(staff)
    client.get("/dashboard/")  # workers started, connections warm
    with analytics_locked():
        response, elapsed = timed_get(client, "/dashboard/")
    sections = response.context["sections"]
    totals = {row["label"]: row["section"] for row in sections["totals"]}
    assert response.status_code == 200 and elapsed < BOUND, elapsed
    assert sections["my_events"].timed_out and totals["Events"].timed_out
    assert sections["events_per_day"].timed_out
    assert totals["Posts"].value == 1 and sections["recent_posts"].available and sections["revenue"].available
    assert "timed out" in response.content.decode()


def test_one_locked_shard_times_out_only_what_it_holds(client, staff):
    client.force_login(staff)
    client.get("/dashboard/")
    locked = shard_of(Event, staff.pk)
    with shard_locked(locked):
        response, elapsed = timed_get(client, "/dashboard/")
    sections = response.context["sections"]
    totals = {row["label"]: row["section"] for row in sections["totals"]}
    assert response.status_code == 200 and elapsed < BOUND, elapsed
    assert sections["my_events"].timed_out  # the staff member's own events are on that shard
    # Site-wide figures come from the other shards, and say which one is missing.
    assert totals["Events"].available and totals["Events"].missing == {locked: "timed out"}
    assert sections["events_per_day"].available and sections["events_per_day"].missing == {locked: "timed out"}
    rows = {row["database"]: row for row in sections["shards"]}
    assert rows[locked]["events"].timed_out
    assert all(rows[alias]["events"].available for alias in SHARDS if alias != locked)
    assert f"without {locked}" in response.content.decode()


def test_a_locked_mariadb_table_times_out_the_revenue_only(client, staff):
    client.force_login(staff)
    client.get("/dashboard/")
    with orders_locked():
        response, elapsed = timed_get(client, "/dashboard/")
    sections = response.context["sections"]
    totals = {row["label"]: row["section"] for row in sections["totals"]}
    assert response.status_code == 200 and elapsed < BOUND, elapsed
    assert sections["revenue"].timed_out and not sections["revenue"].available
    assert totals["Legacy customers"].available and sections["my_events"].available


def test_a_post_page_with_analytics_locked_keeps_its_view_in_the_outbox(client, alice):
    post = post_create(author=alice, title="Read while analytics is locked")
    with analytics_locked():
        response, elapsed = timed_get(client, post.get_absolute_url())
    assert response.status_code == 200 and elapsed < BOUND, elapsed
    waiting = OutboxMessage.objects.using(USERS).filter(topic="analytics.event")
    assert [message.payload["path"] for message in waiting] == [post.get_absolute_url()]
    assert not events_everywhere(path=post.get_absolute_url())


def test_the_budget_is_reset_before_a_pooled_connection_goes_back(db):
    with connections[ANALYTICS].cursor() as cursor:
        with statement_deadline(0.5):
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "500ms"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_the_blog_does_not_wait_for_a_locked_analytics(client, alice):
    """Post pages under a lock return within the budget, so they never hold the threads /blog/ needs."""
    posts = [post_create(author=alice, title=f"Post {n}") for n in range(3)]
    times = []

    def read(url):
        try:
            times.append(timed_get(Client(), url)[1])
        finally:
            connections.close_all()  # the test client leaves them open; a server's request end would not

    with analytics_locked():
        threads = [threading.Thread(target=read, args=(post.get_absolute_url(),)) for post in posts]
        for thread in threads:
            thread.start()
        blog, blog_elapsed = timed_get(client, "/blog/")
        for thread in threads:
            thread.join(BOUND * 2)
    assert blog.status_code == 200 and blog_elapsed < BOUND
    assert len(times) == len(posts) and max(times) < BOUND, times
