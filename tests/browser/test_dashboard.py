"""The dashboard in Chromium: the topology, the charts and every section, with all
databases up, one down and one timed out, at desktop and phone widths.

Screenshots: var/screenshots/dashboard-*.png.
"""

import random
import sqlite3
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import connections
from django.utils import timezone

from config.aliases import ANALYTICS, CACHE
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.factories import event_create, post_create, user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
PASSWORD = "pass-for-tests"


@pytest.fixture
def site(alice):
    """A month of events of three types and a few weeks of posts, and a staff member."""
    rng = random.Random(7)
    now = timezone.now()
    for days_ago in range(30):
        for event_type, most in (("page_view", 9), ("login", 3), ("post_published", 2)):
            for _ in range(rng.randint(0, most)):
                event_create(event_type=event_type, user_id=alice.pk, occurred_at=now - timedelta(days=days_ago))
    for weeks_ago in range(0, 10, 2):
        for _ in range(rng.randint(1, 4)):
            post = post_create(author=alice)
            post.published_at = now - timedelta(weeks=weeks_ago)
            post.save(update_fields=["published_at"])
    return user_create(username="sam", first_name="Sam", is_staff=True)


def log_in(page, username):
    page.goto("/accounts/login/?next=/dashboard/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")


def phone_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def cards_overflowing(page) -> list[str]:
    """The ids of cards whose content is wider than the card."""
    return page.evaluate(
        "[...document.querySelectorAll('.card')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.id)"
    )


def node_status(page, layout, alias) -> str:
    return page.locator(f"svg.topology-{layout} g.node[data-alias={alias}]").get_attribute("data-status")


@contextmanager
def analytics_locked():
    """Another session holds the events table: the dashboard's analytics reads wait until their budget ends."""
    connection = connections[ANALYTICS]
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        other.execute("BEGIN EXCLUSIVE")
    else:  # PostgreSQL: the application's own role owns the table, so it may lock it
        config = connection.settings_dict
        other = psycopg.connect(
            host=config["HOST"],
            port=config["PORT"],
            user=config["USER"],
            password=config["PASSWORD"],
            dbname=config["NAME"],
        )
        other.execute("LOCK TABLE analytics_event IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def test_all_databases_up_desktop(page, site):
    log_in(page, "sam")
    diagram = page.locator("svg.topology-wide")
    assert diagram.is_visible() and not page.locator("svg.topology-tall").is_visible()
    assert diagram.locator("g.node").count() == len(list(connections))
    assert all(node_status(page, "wide", alias) == "up" for alias in connections)
    assert diagram.locator("g.arrow-stream").count() == 1 and diagram.locator("g.arrow-outbox").count() == 2
    assert "lag" in diagram.locator("g.arrow-stream text").text_content()
    assert page.locator("#events-per-day svg rect").count() > 20
    assert page.locator("#events-per-day .legend").inner_text().startswith("Login")
    assert page.locator("#posts-per-week svg rect").count() >= 4
    assert page.locator("#database-sizes svg rect").count() == len(list(connections))
    assert (
        page.locator("#recent-posts .served").inner_text().startswith("default")
        or "replica" in page.locator("#recent-posts .served").inner_text()
    )
    assert cards_overflowing(page) == []
    screenshot(page, "dashboard-desktop")


def test_all_databases_up_phone(phone_page, site):
    log_in(phone_page, "sam")
    assert phone_page.locator("svg.topology-tall").is_visible()
    assert not phone_page.locator("svg.topology-wide").is_visible()
    assert phone_overflow(phone_page) <= 0
    screenshot(phone_page, "dashboard-phone")
    # Close-ups at the phone's own scale: the diagram and a chart must be readable there.
    phone_page.locator("#topology").screenshot(path=str(SCREENSHOTS / "dashboard-phone-topology.png"))
    phone_page.locator("#events-per-day").screenshot(path=str(SCREENSHOTS / "dashboard-phone-events.png"))


@pytest.mark.parametrize("make_page", ["page", "phone_page"])
def test_one_database_down(request, make_page, site, database_down):
    page = request.getfixturevalue(make_page)
    log_in(page, "sam")
    with database_down(CACHE):
        page.reload()
        layout = "wide" if make_page == "page" else "tall"
        assert node_status(page, layout, CACHE) == "down"
        assert node_status(page, layout, ANALYTICS) == "up"
        assert "unavailable" in page.locator("#cached-summary").inner_text()
        assert phone_overflow(page) <= 0 and cards_overflowing(page) == []
        screenshot(page, f"dashboard-cache-down-{layout}")


@pytest.mark.parametrize("make_page", ["page", "phone_page"])
def test_one_database_timed_out(request, make_page, site):
    page = request.getfixturevalue(make_page)
    log_in(page, "sam")
    with analytics_locked():
        page.reload()
        layout = "wide" if make_page == "page" else "tall"
        assert "timed out" in page.locator("#my-events").inner_text()
        assert "timed out" in page.locator("#events-per-day").inner_text()
        assert node_status(page, layout, "default") == "up"
        assert node_status(page, layout, ANALYTICS) == "timed-out"
        assert phone_overflow(page) <= 0 and cards_overflowing(page) == []
        screenshot(page, f"dashboard-analytics-timed-out-{layout}")


def test_a_member_sees_their_own_dashboard(phone_page, site):
    log_in(phone_page, "alice")
    assert phone_page.locator("h1").inner_text() == "Your dashboard"
    assert phone_page.locator("svg.topology").count() == 0
    assert "Page view" in phone_page.locator("#my-events").inner_text()
    screenshot(phone_page, "dashboard-member-phone")
