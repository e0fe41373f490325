"""Routing a sharded model: by key, by shard, or refused; ids and outbox delivery per shard.

These run on whichever topology the environment selects: two SQLite files
by default, or the devdb's two PostgreSQL servers.
"""

import uuid

import pytest
from django.db import connections, router
from django.utils import timezone

import manydb
from apps.analytics.models import Event
from apps.analytics.services import EVENT_TOPIC, events_deliver
from manydb.models import OutboxMessage
from manydb.sharding.ids import SLOT_BITS, ids_start_on_slot
from manydb.topology.routing_map import routing_map

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SHARDS = routing_map().shards_of("analytics")


def stored(alias: str) -> list[tuple]:
    """What a shard really holds (raw SQL on its own connection): (id, user_id, session_key)."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT id, user_id, session_key FROM analytics_event ORDER BY id")
        return cursor.fetchall()


def event(**fields) -> Event:
    return Event(event_type=fields.pop("event_type", "page_view"), occurred_at=timezone.now(), **fields)


def users_on_each_shard() -> dict[str, int]:
    """A user id whose events live on each shard."""
    found = {}
    user_id = 1
    while len(found) < len(SHARDS):
        found.setdefault(manydb.shard_of(Event, user_id), user_id)
        user_id += 1
    return found


def test_the_analytics_app_is_sharded_over_its_aliases():
    homes = routing_map()
    assert len(SHARDS) >= 2
    assert SHARDS[0] == "analytics" and SHARDS[1] == "analytics_2"
    assert homes.is_sharded("analytics") and not homes.is_sharded("blog")
    assert homes.shards_of("blog") == ("default",)
    assert set(SHARDS) <= set(homes.shard_aliases())
    assert homes.migrates_on("analytics") == SHARDS


def test_the_app_migrates_on_every_shard_and_nowhere_else():
    for alias in connections:
        assert router.allow_migrate(alias, "analytics", model_name="event") is (alias in SHARDS), alias
    for alias in SHARDS:
        assert "analytics_event" in connections[alias].introspection.table_names()


def test_a_saved_event_lands_on_its_users_shard():
    for alias, user_id in users_on_each_shard().items():
        event(user_id=user_id).save()
        assert [row[1] for row in stored(alias)] == [user_id]


def test_an_anonymous_event_follows_its_session_and_else_its_own_id():
    anonymous = event(session_key="s-123")
    anonymous.save()
    assert anonymous._state.db == manydb.shard_of(Event, "s-123")
    lonely = event()
    lonely.save()
    assert lonely._state.db == manydb.shard_of(Event, str(lonely.event_id))


def test_for_key_reads_and_writes_the_keys_shard():
    for alias, user_id in users_on_each_shard().items():
        Event.objects.for_key(user_id).create(event_type="signup", user_id=user_id, occurred_at=timezone.now())
        assert list(Event.objects.for_key(user_id).values_list("user_id", flat=True)) == [user_id]
        assert Event.objects.on_shard(alias).count() == 1


def test_shard_for_sends_plain_queries_to_one_shard():
    users = users_on_each_shard()
    for user_id in users.values():
        event(user_id=user_id).save()
    first, second = SHARDS[0], SHARDS[1]
    with manydb.shard_for(Event, shard=first):
        assert list(Event.objects.values_list("user_id", flat=True)) == [users[first]]
        with manydb.shard_for(Event, key=users[second]) as alias:
            assert alias == second
            assert list(Event.objects.values_list("user_id", flat=True)) == [users[second]]
        assert Event.objects.count() == 1


def test_a_loaded_event_is_saved_and_deleted_where_it_was_loaded():
    user_id = users_on_each_shard()[SHARDS[1]]
    event(user_id=user_id).save()
    loaded = Event.objects.for_key(user_id).get()
    loaded.path = "/changed/"
    loaded.save()
    assert Event.objects.on_shard(SHARDS[1]).get().path == "/changed/"
    loaded.delete()
    assert stored(SHARDS[1]) == []


def test_a_query_naming_no_key_is_refused_with_the_ways_to_ask():
    with pytest.raises(manydb.ShardKeyRequired) as refused:
        Event.objects.filter(event_type="page_view").count()
    message = str(refused.value)
    assert "analytics.Event is sharded over 'analytics', 'analytics_2'" in message
    for way in ("Event.objects.for_key(key)", "manydb.shard_for(Event, key=key)", "on_shard(alias)", "for_each_shard"):
        assert way in message


def test_the_refusal_comes_before_any_database_is_asked():
    for alias in SHARDS:
        connections[alias].close()
    with pytest.raises(manydb.ShardKeyRequired):
        list(Event.objects.all())
    assert all(connections[alias].connection is None for alias in SHARDS)


def test_a_sharded_app_has_no_single_home():
    with pytest.raises(manydb.ShardKeyRequired, match="no single home"):
        manydb.home_of(Event)


def test_unknown_shards_are_refused():
    with pytest.raises(ValueError, match="'default' is not a shard of analytics.Event"):
        Event.objects.on_shard("default")
    with pytest.raises(ValueError, match="not a shard"), manydb.shard_for(Event, shard="users"):
        pass
    with pytest.raises(TypeError, match="a key or a shard"), manydb.shard_for(Event):
        pass


def test_each_shard_issues_ids_from_its_slot():
    users = users_on_each_shard()
    for slot, alias in enumerate(SHARDS, start=1):
        saved = event(user_id=users[alias])
        saved.save()
        # From the slot's start (exactly, on a fresh table; the suite's
        # flushes between tests do not rewind the counter).
        assert slot << SLOT_BITS <= saved.pk < (slot + 1) << SLOT_BITS
        assert stored(alias)[0][0] == saved.pk


def test_a_fresh_counter_starts_exactly_at_the_slot():
    alias = SHARDS[1]
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'analytics_event'")
        elif connections[alias].vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('analytics_event', 'id'), 1, false)")
        else:
            cursor.execute("TRUNCATE TABLE analytics_event")
    ids_start_on_slot(using=alias)
    saved = event(user_id=users_on_each_shard()[alias])
    saved.save()
    assert saved.pk == 2 << SLOT_BITS


def test_ids_are_unique_across_shards():
    for n in range(40):
        event(user_id=n + 1).save()
    ids = [row[0] for alias in SHARDS for row in stored(alias)]
    assert len(ids) == 40 and len(set(ids)) == 40
    for slot, alias in enumerate(SHARDS, start=1):
        assert all(slot << SLOT_BITS <= row[0] < (slot + 1) << SLOT_BITS for row in stored(alias))


def test_setting_the_id_start_again_keeps_issued_ids():
    user_id = users_on_each_shard()[SHARDS[0]]
    first = event(user_id=user_id)
    first.save()
    ids_start_on_slot(using=SHARDS[0])
    second = event(user_id=user_id)
    second.save()
    assert second.pk == first.pk + 1


def test_outbox_delivery_stores_each_event_on_its_shard_with_one_insert_per_shard():
    users = users_on_each_shard()
    messages = [
        OutboxMessage(
            id=uuid.uuid4(),
            topic=EVENT_TOPIC,
            payload={
                "event_type": "login",
                "user_id": user_id,
                "session_key": "",
                "path": "/",
                "data": {},
                "occurred_at": timezone.now().isoformat(),
            },
        )
        for user_id in [*users.values(), *users.values()]
    ]
    inserts = {alias: 0 for alias in SHARDS}

    def count_inserts(alias):
        def wrapper(execute, sql, params, many, context):
            if sql.startswith("INSERT"):
                inserts[alias] += 1
            return execute(sql, params, many, context)

        return wrapper

    from contextlib import ExitStack

    with ExitStack() as stack:
        for alias in SHARDS:
            stack.enter_context(connections[alias].execute_wrapper(count_inserts(alias)))
        events_deliver(messages)
        events_deliver(messages)  # a redelivery stores nothing twice
    for alias, user_id in users.items():
        assert [row[1] for row in stored(alias)] == [user_id, user_id]
    assert inserts == {alias: 2 for alias in SHARDS}


def test_for_each_shard_merges_what_every_shard_answers():
    users = users_on_each_shard()
    for alias, user_id in users.items():
        for _ in range(SHARDS.index(alias) + 1):
            event(user_id=user_id, event_type="login").save()
    results = manydb.for_each_shard(Event, lambda alias: Event.objects.count())
    assert results.values == {alias: SHARDS.index(alias) + 1 for alias in SHARDS}
    assert results.merge() == sum(range(1, len(SHARDS) + 1))
    by_type = manydb.for_each_shard(Event, lambda alias: {"login": Event.objects.filter(event_type="login").count()})
    assert by_type.merge() == {"login": sum(range(1, len(SHARDS) + 1))}
    assert results.complete and [results.state(alias) for alias in SHARDS] == ["ok"] * len(SHARDS)


def test_move_data_refuses_a_sharded_app_naming_its_shards():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"'analytics' is sharded over 'analytics', 'analytics_2'") as refused:
        call_command("move_data", "analytics", "--from", "analytics", "--to", "cache")
    assert refused.value.returncode == 2
    assert "analytics_event" not in connections["cache"].introspection.table_names()


def test_health_answers_for_every_shard_and_a_shard_down_is_not_critical(client, database_down):
    with database_down(SHARDS[1]):
        response = client.get("/health/")
    assert response.status_code == 200  # analytics is not critical: the site still serves
    databases = response.json()["databases"]
    assert databases[SHARDS[0]] == {"ok": True} and databases[SHARDS[1]] == {"ok": False}
