"""Analytics events in monthly partitions on the real PostgreSQL: the shape, idempotent
delivery through the outbox, partitions ahead, and retention that drops whole months."""

import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from apps.analytics.models import Event
from apps.analytics.services import EVENT_TOPIC, events_deliver
from config.aliases import ANALYTICS
from manydb.maintenance.partitions import month_start, partitioned_table_of, partitions_ensure, partitions_of
from manydb.models import OutboxMessage
from tests.factories import event_create, events_everywhere, user_id_on_shard
from tests.rows import analytics_shards, value

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


SHARDS = analytics_shards()
ON_ANALYTICS = user_id_on_shard(ANALYTICS)  # events of this account live on the first shard


def partition_names(alias: str = ANALYTICS) -> list[str]:
    return [partition.name for partition in partitions_of(partitioned_table_of(Event, alias))]


@pytest.mark.parametrize("alias", SHARDS)
def test_events_are_partitioned_by_month_with_a_brin_index_on_their_time(alias):
    # On every shard: analytics_2 is a PostgreSQL server of its own.
    strategy = value(alias, "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'analytics_event'::regclass")
    assert strategy == "r"  # range
    definition = value(alias, "SELECT indexdef FROM pg_indexes WHERE indexname = 'analytics_event_time'")
    assert "USING brin (occurred_at)" in definition
    unique = value(alias, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'analytics_event_once'")
    assert unique == "UNIQUE (event_id, occurred_at)"
    now = timezone.now()
    # The migration made this month and three ahead, and a default partition for strays.
    assert {f"analytics_event_{month_start(now, ahead):%Y_%m}" for ahead in range(4)} <= set(partition_names(alias))
    assert partition_names(alias)[-1] == "analytics_event_default"


@pytest.mark.parametrize("alias", SHARDS)
def test_an_event_lands_in_its_month(alias):
    event = event_create(user_id=user_id_on_shard(alias))
    table = value(alias, "SELECT tableoid::regclass::text FROM analytics_event WHERE id = %s", [event.pk])
    assert table == f"analytics_event_{event.occurred_at:%Y_%m}"


def test_an_event_delivered_twice_is_stored_once():
    message = OutboxMessage(
        id=uuid.uuid4(),
        topic=EVENT_TOPIC,
        payload={
            "event_type": "signup",
            "user_id": 1,
            "session_key": "",
            "path": "/",
            "data": {},
            "occurred_at": timezone.now().isoformat(),
        },
    )
    events_deliver([message])
    events_deliver([message])  # an outbox retry
    assert len(events_everywhere(event_id=message.id)) == 1


def test_partitions_ahead_take_their_rows_out_of_the_default_partition():
    long_ago = datetime(2019, 3, 15, tzinfo=UTC)
    event = event_create(user_id=ON_ANALYTICS, occurred_at=long_ago)
    assert value(ANALYTICS, "SELECT tableoid::regclass::text FROM analytics_event WHERE id = %s", [event.pk]) == (
        "analytics_event_default"
    )
    created = partitions_ensure(now=long_ago)
    assert created.count("analytics_event_2019_03") == len(SHARDS)  # on every shard
    where = value(ANALYTICS, "SELECT tableoid::regclass::text FROM analytics_event WHERE id = %s", [event.pk])
    assert where == "analytics_event_2019_03"
    assert partitions_ensure(now=long_ago) == []  # twice is harmless


def test_months_of_rows_in_the_default_partition_get_partitions_of_their_own():
    last_year = month_start(timezone.now(), -12) + timedelta(days=3)
    event = event_create(user_id=ON_ANALYTICS, occurred_at=last_year)
    assert f"analytics_event_{last_year:%Y_%m}" in partitions_ensure()
    where = value(ANALYTICS, "SELECT tableoid::regclass::text FROM analytics_event WHERE id = %s", [event.pk])
    assert where == f"analytics_event_{last_year:%Y_%m}"
    assert value(ANALYTICS, "SELECT count(*) FROM analytics_event_default") == 0


def test_retention_drops_whole_months_and_keeps_the_rest(settings, dbmaint):
    settings.ANALYTICS_RETENTION_DAYS = 365
    now = timezone.now()
    expired_month = month_start(now, -15)
    partitions_ensure(now=expired_month)  # that month and the three after it
    for day in (1, 10, 20):
        event_create(user_id=ON_ANALYTICS, occurred_at=expired_month + timedelta(days=day))
    # in the default partition
    straggler = event_create(user_id=ON_ANALYTICS, occurred_at=datetime(2015, 1, 1, tzinfo=UTC))
    kept = event_create(user_id=ON_ANALYTICS, occurred_at=now - timedelta(days=30))
    expired_name = f"analytics_event_{expired_month:%Y_%m}"

    status, out = dbmaint("cleanup", "--dry-run")
    assert status == 0, out
    steps = {step["alias"]: step for step in out["steps"] if step["what"] == "analytics events"}
    assert set(steps) == set(SHARDS)
    assert steps[ANALYTICS]["count"] == 4 and expired_name in steps[ANALYTICS]["detail"]
    assert all(steps[alias]["count"] == 0 for alias in SHARDS if alias != ANALYTICS)
    assert expired_name in partition_names()

    status, out = dbmaint("cleanup")
    assert status == 0, out
    assert all(expired_name not in partition_names(alias) for alias in SHARDS)
    assert value(ANALYTICS, "SELECT count(*) FROM pg_class WHERE relname = %s", [expired_name]) == 0
    remaining = {event.pk for event in events_everywhere()}
    assert kept.pk in remaining and straggler.pk not in remaining
    # Partitions ahead of now are still there, and cleanup keeps them coming.
    assert f"analytics_event_{month_start(now, 3):%Y_%m}" in partition_names()


@pytest.mark.parametrize("alias", SHARDS)
def test_migrate_all_creates_partitions_ahead(alias):
    month = month_start(timezone.now(), 3)
    name = f"analytics_event_{month:%Y_%m}"
    with connections[alias].cursor() as cursor:
        cursor.execute(f'ALTER TABLE analytics_event DETACH PARTITION "{name}"')
        cursor.execute(f'DROP TABLE "{name}"')
    assert name not in partition_names(alias)
    out = StringIO()
    call_command("migrate_all", stdout=out)
    assert name in partition_names(alias)
    assert f"partitions   created {name}" in out.getvalue()
