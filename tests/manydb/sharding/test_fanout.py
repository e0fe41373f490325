"""for_each_shard: every shard at once, each under the section budget; a shard that is really
down or locked costs its own answer, never the others'. On whichever topology the suite runs."""

import time

import pytest
from django.utils import timezone

import manydb
from apps.analytics.models import Event
from manydb.topology.routing_map import routing_map
from tests.faults import table_locked

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SHARDS = routing_map().shards_of("analytics")


@pytest.fixture
def events_on_each_shard():
    """Shard n (1-based) holds n events: its own users' page views."""
    user_id, placed = 0, {alias: 0 for alias in SHARDS}
    while any(placed[alias] < SHARDS.index(alias) + 1 for alias in SHARDS):
        user_id += 1
        alias = manydb.shard_of(Event, user_id)
        if placed[alias] < SHARDS.index(alias) + 1:
            Event.objects.create(event_type="page_view", user_id=user_id, occurred_at=timezone.now())
            placed[alias] += 1
    return placed


def count(alias):
    return Event.objects.count()


def test_every_shard_answers_and_the_answers_merge(events_on_each_shard):
    results = manydb.for_each_shard(Event, count)
    assert results.values == events_on_each_shard
    assert results.merge() == sum(events_on_each_shard.values())
    section = results.as_section(name="events")
    assert section.available and section.value == sum(events_on_each_shard.values()) and section.missing == {}
    assert set(section.databases) == set(SHARDS)


def test_the_function_sees_only_its_own_shard(events_on_each_shard):
    results = manydb.for_each_shard(Event, lambda alias: sorted({event._state.db for event in Event.objects.all()}))
    assert results.values == {alias: [alias] for alias in SHARDS}


def test_a_shard_that_is_down_costs_only_its_own_answer(events_on_each_shard, database_down):
    down = SHARDS[1]
    with database_down(down):
        results = manydb.for_each_shard(Event, count)
    assert results.state(down) == "unavailable" and results.missing == [down]
    assert results.values == {alias: n for alias, n in events_on_each_shard.items() if alias != down}
    section = results.as_section(name="events")
    assert section.available and section.missing == {down: "unavailable"}
    assert section.value == sum(n for alias, n in events_on_each_shard.items() if alias != down)


def test_with_every_shard_down_the_merged_section_is_unavailable(analytics_down):
    with analytics_down():
        section = manydb.for_each_shard(Event, count).as_section(name="events")
    assert not section.available and not section.timed_out
    assert section.missing == {alias: "unavailable" for alias in SHARDS}


def test_a_locked_shard_times_out_within_the_budget_and_the_others_answer(events_on_each_shard):
    locked = SHARDS[0]
    with table_locked(locked, "analytics_event"):
        started = time.monotonic()
        results = manydb.for_each_shard(Event, count, budget_seconds=0.5)
        elapsed = time.monotonic() - started
    assert results.state(locked) == "timed out"
    assert all(results.state(alias) == "ok" for alias in SHARDS if alias != locked)
    assert elapsed < 0.5 + 0.25 + 0.5  # budget, grace, and this machine's slack: the shards ran at once


def test_merging_sums_nested_counts_and_refuses_what_it_cannot_add():
    from manydb.sharding.fanout import merge_values

    assert merge_values({"a": 1, "b": {"x": 2}}, {"a": 2, "b": {"x": 1, "y": 1}, "c": 5}) == {
        "a": 3,
        "b": {"x": 3, "y": 1},
        "c": 5,
    }
    assert merge_values([1], [2]) == [1, 2]
    with pytest.raises(TypeError, match="pass combine="):
        merge_values("a", "b")
