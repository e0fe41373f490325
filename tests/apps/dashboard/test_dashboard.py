"""The dashboard: numbers equal to rows counted directly in each database;
a database that is down costs its own section, never the page."""

from decimal import Decimal

import pytest
from django.db import connections, router

from apps.analytics.models import Event
from apps.blog.models import Post
from apps.cache.models import CacheEntry
from apps.dashboard.selectors import SUMMARY_CACHE_KEY
from apps.legacy.models import Customer
from apps.users.models import User
from config.aliases import CACHE, LEGACY
from manydb import shard_of
from tests.factories import event_create, post_create
from tests.rows import analytics_shards, value

ALICES_SHARD = "the analytics shard of alice"


def raw(model, sql: str, params=()):
    """One value, by raw SQL on the model's home database: independent of the ORM's routing."""
    with connections[router.db_for_write(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def totals_from_page(response) -> dict[str, object]:
    return {row["label"]: row["section"].value for row in response.context["sections"]["totals"]}


@pytest.fixture
def populated(alice, bob):
    """Alice, staff (the site-wide sections are for staff), with posts and events of her own and Bob's."""
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    post_create(author=alice, title="Mine")
    post_create(author=alice, title="Draft of mine", published=False)
    post_create(author=bob, title="Not mine")
    for event_type in ("page_view", "page_view", "login"):
        event_create(event_type=event_type, user_id=alice.pk)
    event_create(event_type="page_view", user_id=bob.pk)
    return alice


@pytest.mark.django_db(databases="__all__")
def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db(databases="__all__")
def test_numbers_equal_rows_counted_in_each_database(client, populated):
    client.force_login(populated)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    sections = response.context["sections"]

    assert totals_from_page(response) == {
        "Users": raw(User, "SELECT COUNT(*) FROM users_user"),
        "Posts": raw(Post, "SELECT COUNT(*) FROM blog_post"),
        "Events": sum(value(alias, "SELECT COUNT(*) FROM analytics_event") for alias in analytics_shards()),
        "Cache entries": raw(CacheEntry, "SELECT COUNT(*) FROM cache_cacheentry"),
        "Legacy customers": raw(Customer, "SELECT COUNT(*) FROM customers"),
    }
    assert [p.title for p in sections["recent_posts"].value] == ["Draft of mine", "Mine"]
    assert sections["my_events"].value == {"login": 1, "page_view": 2}
    revenue = Decimal(str(raw(Customer, "SELECT SUM(tot_amt) FROM orders WHERE stat_cd <> 'C'"))).quantize(
        Decimal("0.01")
    )
    assert sections["revenue"].value["revenue"] == revenue
    html = response.content.decode()
    assert "Draft of mine" in html and f"{revenue:,}" in html  # 137,878.61: grouped for people


@pytest.mark.django_db(databases="__all__")
def test_summary_is_cached_on_the_cache_database_with_its_age(client, populated):
    client.force_login(populated)
    client.get("/dashboard/")
    assert raw(CacheEntry, "SELECT COUNT(*) FROM cache_cacheentry WHERE key = %s", [SUMMARY_CACHE_KEY]) == 1
    post_create(author=populated, title="After caching")
    summary = client.get("/dashboard/").context["sections"]["summary"]
    assert summary.value.value["published_posts"] == 2  # still the cached value, not 3
    assert 0 <= summary.value.age_seconds < 60
    assert "read from the cache database" in client.get("/dashboard/").content.decode()


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.parametrize(
    ("alias", "unavailable", "available"),
    [
        # Alice's shard: her own events go; site-wide events come from the other shards.
        (ALICES_SHARD, {"my_events"}, {"recent_posts", "revenue", "Users", "Posts", "Events"}),
        (LEGACY, {"revenue", "Legacy customers"}, {"recent_posts", "my_events", "Events", "Users"}),
        (CACHE, {"summary", "Cache entries"}, {"recent_posts", "my_events", "revenue", "Posts"}),
    ],
)
def test_a_database_down_turns_only_its_sections_unavailable(
    client, populated, database_down, alias, unavailable, available
):
    client.force_login(populated)
    alias = shard_of(Event, populated.pk) if alias == ALICES_SHARD else alias
    with database_down(alias):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    sections = dict(response.context["sections"])
    sections.update({row["label"]: row["section"] for row in sections.pop("totals")})
    assert {name for name in unavailable if not sections[name].available} == unavailable
    assert all(sections[name].available for name in available)
    assert "unavailable" in response.content.decode()
    if alias in analytics_shards():
        assert sections["Events"].missing == {alias: "unavailable"}
        bob = User.objects.get(username="bob")
        # Alice's 3 events and Bob's 1, less those on the shard that is down.
        lost = 3 * (shard_of(Event, populated.pk) == alias) + (shard_of(Event, bob.pk) == alias)
        assert sections["Events"].value == 4 - lost


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_replica_section_shows_state_lag_and_share(client, populated):
    client.force_login(populated)
    client.get("/blog/")  # one scope served by the replica
    response = client.get("/dashboard/")
    rows = {row["alias"]: row for row in response.context["sections"]["replicas"].value}
    assert rows["replica"]["state"] == "up"
    assert rows["replica"]["lag_seconds"] == 0
    assert rows["replica"]["reads_served"] >= 1
    assert rows["default"]["state"] == "primary"
    assert 'data-alias="replica"' in response.content.decode()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_replica_down_shows_cooling_down_and_the_page_still_renders(client, populated, database_down):
    client.force_login(populated)
    with database_down("replica"):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    rows = {row["alias"]: row for row in response.context["sections"]["replicas"].value}
    assert rows["replica"]["state"] == "cooling down"
    assert [p.title for p in response.context["sections"]["recent_posts"].value] == ["Draft of mine", "Mine"]
