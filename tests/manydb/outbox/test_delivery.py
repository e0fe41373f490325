"""The transactional outbox: a message commits with its write or not at all, is delivered
after the commit, survives its target being down, and is stored once however often it is
delivered. The receiving end is the real one: analytics events (apps.analytics)."""

from itertools import count

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connections, transaction
from django.test import override_settings

import manydb
from apps.analytics.models import Event
from apps.analytics.services import EVENT_TOPIC
from config.aliases import ANALYTICS, CACHE, DEFAULT, REPLICA, USERS
from manydb.models import OutboxMessage
from manydb.ops.checks import check_routing_map
from manydb.outbox import delivery as outbox
from tests.faults import statements_fail
from tests.rows import event_rows

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


# An account whose events live on the first analytics shard, the one the
# tests below take down (the other shards' delivery is tests/manydb/sharding).
USER_ON_ANALYTICS = next(user_id for user_id in count(1) if manydb.shard_of(Event, user_id) == ANALYTICS)


def payload(event_type="custom", **extra) -> dict:
    return {
        "event_type": event_type,
        "user_id": USER_ON_ANALYTICS,
        "session_key": "",
        "path": "/",
        "data": extra,
        "occurred_at": "2026-01-01T12:00:00+00:00",
    }


def rows(alias: str, sql: str) -> list[tuple]:
    """Raw SQL on alias's own connection: what is really stored, whatever the ORM thinks."""
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def event_ids() -> list[str]:
    return sorted(str(row[0]).replace("-", "") for row in event_rows("SELECT event_id FROM analytics_event"))


def waiting(alias: str) -> list[str]:
    return sorted(str(row[0]).replace("-", "") for row in rows(alias, "SELECT id FROM manydb_outboxmessage"))


def test_a_message_commits_with_its_write_and_is_delivered_after_the_commit():
    with transaction.atomic(using=USERS):
        message_id = outbox.outbox_put(using=USERS, topic=EVENT_TOPIC, payload=payload())
        assert event_ids() == []  # not before the commit
    assert event_ids() == [message_id.hex]
    assert waiting(USERS) == []


def test_a_rolled_back_write_leaves_no_message_and_no_event():
    with pytest.raises(RuntimeError), transaction.atomic(using=DEFAULT):
        outbox.outbox_put(using=DEFAULT, topic=EVENT_TOPIC, payload=payload())
        raise RuntimeError("the write failed after the message was stored")
    assert waiting(DEFAULT) == [] and event_ids() == []


def test_with_the_target_down_the_message_waits_and_is_delivered_once_later(database_down):
    with database_down(ANALYTICS), transaction.atomic(using=DEFAULT):
        message_id = outbox.outbox_put(using=DEFAULT, topic=EVENT_TOPIC, payload=payload())
    assert waiting(DEFAULT) == [message_id.hex]
    message = OutboxMessage.objects.using(DEFAULT).get()
    assert message.attempts == 1 and message.last_error.startswith("OperationalError")

    assert [(r.alias, r.delivered, r.failed) for r in outbox.outbox_deliver()] == [(DEFAULT, 1, 0), (USERS, 0, 0)]
    assert event_ids() == [message_id.hex] and waiting(DEFAULT) == []


def test_a_failing_target_is_not_tried_again_inline_until_it_has_rested(database_down):
    with database_down(ANALYTICS):
        outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())  # tries, fails, queues
        with transaction.atomic(using=USERS):
            outbox.outbox_put(using=USERS, topic=EVENT_TOPIC, payload=payload())  # queued, not tried
    attempts = list(OutboxMessage.objects.using(USERS).order_by("created_at").values_list("attempts", flat=True))
    assert attempts == [1, 0]  # the second was never tried: it did not wait for a timeout
    assert not outbox.process_state.target_up(EVENT_TOPIC)


def test_a_crash_between_storing_and_forgetting_a_message_does_not_double_it():
    with transaction.atomic(using=USERS):
        outbox.process_state.target_failed(EVENT_TOPIC)  # keep it from being delivered on commit
        message_id = outbox.outbox_put(using=USERS, topic=EVENT_TOPIC, payload=payload())
    outbox.process_state.reset()
    with statements_fail(USERS, "manydb_outboxmessage", "DELETE"):
        [report, _] = sorted(outbox.outbox_deliver(), key=lambda r: r.alias != USERS)
    assert "injected fault: DELETE" in report.error
    assert event_ids() == [message_id.hex]  # stored on analytics...
    assert waiting(USERS) == [message_id.hex]  # ...but still in the outbox
    outbox.outbox_deliver()  # delivered again
    assert event_ids() == [message_id.hex] and waiting(USERS) == []


def test_the_event_id_is_unique_in_the_database_itself():
    # With its time: a partitioned table's unique key must include the partition column
    # (see apps.analytics.models.Event), and a redelivery carries the same time.
    outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
    [(event_id, occurred_at)] = rows(ANALYTICS, "SELECT event_id, occurred_at FROM analytics_event")
    with pytest.raises(IntegrityError), connections[ANALYTICS].cursor() as cursor:
        cursor.execute(
            "INSERT INTO analytics_event (event_id, event_type, session_key, path, data, occurred_at) "
            "VALUES (%s, 'copy', '', '', '{}', %s)",
            [event_id, occurred_at],
        )


def test_send_delivers_now_when_it_can_and_keeps_nothing():
    message_id = outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
    assert event_ids() == [message_id.hex]
    assert waiting(USERS) == [] and waiting(DEFAULT) == []


def test_send_keeps_the_message_on_the_fallback_when_the_target_is_down(database_down):
    with database_down(ANALYTICS):
        message_id = outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
    assert settings.MANYDB["OUTBOX"]["FALLBACK"] == USERS
    assert waiting(USERS) == [message_id.hex] and waiting(DEFAULT) == []


def test_the_backlog_drains_after_a_later_success_without_any_command(database_down, sweep_at_once):
    with database_down(ANALYTICS):
        first = outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
    outbox.process_state.reset()
    sweep_at_once()  # a sweep is due at once, not in 30 s
    second = outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
    assert event_ids() == sorted([first.hex, second.hex])
    assert waiting(USERS) == []


def test_a_message_nobody_handles_is_kept_and_says_why():
    outbox.outbox_put(using=DEFAULT, topic="nobody.listens", payload={})
    message = OutboxMessage.objects.using(DEFAULT).get()
    assert message.attempts == 1 and "no outbox handler" in message.last_error


def test_messages_live_only_on_outbox_aliases():
    with pytest.raises(ImproperlyConfigured):
        outbox.outbox_put(using=CACHE, topic=EVENT_TOPIC, payload=payload())


def test_the_backlog_reports_count_age_and_latest_error(database_down):
    assert outbox.outbox_backlog(using=USERS).count == 0
    with database_down(ANALYTICS), transaction.atomic(using=USERS):
        outbox.outbox_put(using=USERS, topic=EVENT_TOPIC, payload=payload())
    backlog = outbox.outbox_backlog(using=USERS)
    assert backlog.count == 1 and backlog.oldest is not None
    assert backlog.last_error.startswith("OperationalError")


def test_the_command_drains_the_backlog_and_says_so(database_down, capsys):
    with database_down(ANALYTICS):
        for _ in range(3):
            outbox.outbox_send(topic=EVENT_TOPIC, payload=payload())
        with pytest.raises(CommandError) as failed:
            call_command("deliver_outbox")
    assert failed.value.returncode == 1 and len(waiting(USERS)) == 3
    call_command("deliver_outbox", limit=2)  # two rounds of two
    assert "delivered 3, failed 0" in capsys.readouterr().out
    assert len(event_ids()) == 3 and waiting(USERS) == []


@pytest.mark.parametrize(
    ("outbox_config", "message"),
    [
        ({"ALIASES": [DEFAULT, "nowhere"]}, "OUTBOX['ALIASES'] names database alias 'nowhere'"),
        ({"ALIASES": [DEFAULT, REPLICA]}, "names 'replica', which is never migrated"),
        ({"ALIASES": [DEFAULT], "FALLBACK": USERS}, "OUTBOX['FALLBACK'] is 'users', which is not one of"),
    ],
)
def test_the_outbox_setting_is_checked_at_start_up(outbox_config, message):
    with override_settings(MANYDB={**settings.MANYDB, "OUTBOX": outbox_config}):
        errors = check_routing_map()
    assert [error.msg for error in errors if message in error.msg], [e.msg for e in errors]
