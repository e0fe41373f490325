"""The dashboard in Chromium: the topology, the charts and every section, with all
databases up, one down and one timed out, at desktop and phone widths.

Screenshots: var/screenshots/dashboard-*.png.
"""

import random
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from apps.analytics.models import Event
from config.aliases import ANALYTICS, CACHE
from manydb import routing_map, shard_of
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.factories import event_create, post_create, user_create
from tests.faults import table_locked

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
PASSWORD = "pass-for-tests"
SHARDS = routing_map().shards_of(ANALYTICS)


def events_on(alias: str) -> int:
    return Event.objects.on_shard(alias).count()


@pytest.fixture
def site(alice):
    """A month of events of three types and a few weeks of posts, and a staff member."""
    rng = random.Random(7)
    now = timezone.now()
    for days_ago in range(30):
        for event_type, most in (("page_view", 9), ("login", 3), ("post_published", 2)):
            for _ in range(rng.randint(0, most)):
                event_create(event_type=event_type, user_id=alice.pk, occurred_at=now - timedelta(days=days_ago))
    for visitor in range(24):  # visitors' page views, on every shard
        event_create(event_type="page_view", session_key=f"visitor-{visitor}", occurred_at=now)
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


def test_all_databases_up_desktop(page, site):
    log_in(page, "sam")
    diagram = page.locator("svg.topology-wide")
    assert diagram.is_visible() and not page.locator("svg.topology-tall").is_visible()
    assert diagram.locator("g.node").count() == len(list(connections))
    assert all(node_status(page, "wide", alias) == "up" for alias in connections)
    # An outbox arrow from default and users to each analytics shard.
    assert diagram.locator("g.arrow-stream").count() == 1
    assert diagram.locator("g.arrow-outbox").count() == 2 * len(SHARDS)
    for alias in SHARDS:
        assert (
            f"analytics {SHARDS.index(alias) + 1}/{len(SHARDS)}"
            in diagram.locator(f"g.node[data-alias={alias}]").text_content()
        )
        row = page.locator(f"#analytics-shards tr[data-shard={alias}]")
        assert row.locator("td").nth(1).inner_text().startswith("up")
        assert row.locator("td").nth(2).inner_text() == str(events_on(alias))
        assert row.locator("td").nth(3).inner_text() not in ("", "—")
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
def test_one_database_timed_out(request, make_page, site, alice):
    page = request.getfixturevalue(make_page)
    log_in(page, "sam")
    locked = shard_of(Event, alice.pk)  # the shard of alice's events
    with table_locked(locked, "analytics_event"):  # another session holds that shard's events
        page.reload()
        layout = "wide" if make_page == "page" else "tall"
        assert "timed out" in page.locator(f"#analytics-shards tr[data-shard={locked}]").inner_text()
        # The chart comes from the shards that answered, and says which did not.
        assert f"without {locked}" in page.locator("#events-per-day .served").inner_text()
        assert node_status(page, layout, "default") == "up"
        assert node_status(page, layout, locked) == "timed-out"
        assert all(node_status(page, layout, alias) == "up" for alias in SHARDS if alias != locked)
        assert phone_overflow(page) <= 0 and cards_overflowing(page) == []
        screenshot(page, f"dashboard-analytics-timed-out-{layout}")


@pytest.mark.parametrize("make_page", ["page", "phone_page"])
def test_one_analytics_shard_down(request, make_page, site, alice, database_down):
    page = request.getfixturevalue(make_page)
    log_in(page, "sam")
    down = shard_of(Event, alice.pk)
    with database_down(down):
        page.reload()
        layout = "wide" if make_page == "page" else "tall"
        assert node_status(page, layout, down) == "down"
        assert page.locator(f"#analytics-shards tr[data-shard={down}] td").nth(1).inner_text() == "down"
        for alias in SHARDS:
            if alias != down:  # the other shards still answer, with their own events
                assert node_status(page, layout, alias) == "up"
                row = page.locator(f"#analytics-shards tr[data-shard={alias}]")
                assert row.locator("td").nth(2).inner_text() == str(events_on(alias))
        totals = page.locator('#site-totals tr[data-label="Events"]').inner_text()
        assert str(sum(events_on(alias) for alias in SHARDS if alias != down)) in totals
        screenshot(page, f"dashboard-analytics-shard-down-{layout}")
        page.locator("#analytics-shards").screenshot(path=str(SCREENSHOTS / f"dashboard-shards-down-{layout}.png"))
        assert phone_overflow(page) <= 0 and cards_overflowing(page) == []


def test_a_member_sees_their_own_dashboard(phone_page, site):
    log_in(phone_page, "alice")
    assert phone_page.locator("h1").inner_text() == "Your dashboard"
    assert phone_page.locator("svg.topology").count() == 0
    assert "Page view" in phone_page.locator("#my-events").inner_text()
    screenshot(phone_page, "dashboard-member-phone")
