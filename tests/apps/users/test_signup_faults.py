"""Sign-up writes the account and its user_registered event on users, in one
transaction, and delivers the event to analytics after: a fault at any step leaves
either nothing or an account whose event is still on its way, never half of it."""

from contextlib import ExitStack, contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections

from apps.analytics.models import Event
from apps.users.services import user_register
from config.aliases import USERS
from manydb import shard_of
from tests.faults import statements_fail
from tests.rows import analytics_shards

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

NEWCOMER = {"username": "newcomer", "email": "new@example.com", "password": "a-Long-pass-123"}


def count(alias: str, sql: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def accounts() -> int:
    return count(USERS, "SELECT COUNT(*) FROM users_user WHERE username = 'newcomer'")


def waiting() -> int:
    return count(USERS, "SELECT COUNT(*) FROM manydb_outboxmessage")


def registered_events() -> int:
    return sum(
        count(alias, "SELECT COUNT(*) FROM analytics_event WHERE event_type = 'user_registered'")
        for alias in analytics_shards()
    )


@contextmanager
def inserts_fail_on_every_shard():
    with ExitStack() as stack:
        for alias in analytics_shards():
            stack.enter_context(statements_fail(alias, "analytics_event", "INSERT"))
        yield


def test_when_the_account_insert_fails_nothing_is_written():
    with statements_fail(USERS, "users_user", "INSERT"), pytest.raises(DatabaseError):
        user_register(**NEWCOMER)
    assert (accounts(), waiting(), registered_events()) == (0, 0, 0)


def test_when_the_event_cannot_be_stored_with_it_the_account_is_not_created():
    with statements_fail(USERS, "manydb_outboxmessage", "INSERT"), pytest.raises(DatabaseError):
        user_register(**NEWCOMER)
    assert (accounts(), waiting(), registered_events()) == (0, 0, 0)


def test_when_delivery_fails_the_account_exists_and_its_event_waits():
    with inserts_fail_on_every_shard():
        user = user_register(**NEWCOMER)
    assert (accounts(), waiting(), registered_events()) == (1, 1, 0)
    call_command("deliver_outbox")
    call_command("deliver_outbox")  # a second run finds nothing to add
    assert (accounts(), waiting(), registered_events()) == (1, 0, 1)
    assert count(shard_of(Event, user.pk), "SELECT user_id FROM analytics_event") == user.pk


def test_when_everything_works_the_event_arrives_right_after_the_commit():
    user_register(**NEWCOMER)
    assert (accounts(), waiting(), registered_events()) == (1, 0, 1)
