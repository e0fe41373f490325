"""Messages a handler holds back (manydb.outbox.MessagesHeld): kept, not failures, and passed by later ones."""

import pytest
from django.test import override_settings

from config.aliases import USERS
from manydb.models import OutboxMessage
from manydb.outbox import delivery as outbox

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

TOPIC = "tests.held"


@pytest.fixture
def handler():
    """A handler that stores every message but those whose payload says "hold" (while ``holding``)."""
    stored: list[int] = []
    state = {"holding": True}

    def deliver(messages):
        held = [m.id for m in messages if m.payload["hold"] and state["holding"]]
        stored.extend(m.payload["n"] for m in messages if m.id not in held)
        if held:
            raise outbox.MessagesHeld(f"{len(held)} held", held=held)

    outbox.outbox_register(TOPIC, deliver)
    yield stored, state
    outbox._handlers.pop(TOPIC, None)


def queue(count: int, hold_every: int) -> None:
    for n in range(count):
        OutboxMessage.objects.using(USERS).create(topic=TOPIC, payload={"n": n, "hold": n % hold_every == 0})


def test_held_messages_stay_queued_and_the_rest_is_delivered_past_them(handler):
    stored, state = handler
    queue(30, hold_every=3)  # 0, 3, 6... held
    with override_settings(MANYDB={**_manydb(), "OUTBOX": {**_manydb()["OUTBOX"], "BATCH": 4}}):
        reports = {r.alias: r for r in outbox.outbox_deliver()}
    # Pages of 4 until 4 are delivered: the held ones do not count, the round stops with its page.
    assert 4 <= reports[USERS].delivered < 8 and reports[USERS].failed == 0
    assert reports[USERS].held == 3
    while any(r.delivered for r in outbox.outbox_deliver()):
        pass
    assert sorted(stored) == [n for n in range(30) if n % 3]
    left = OutboxMessage.objects.using(USERS).filter(topic=TOPIC)
    assert sorted(m.payload["n"] for m in left) == list(range(0, 30, 3))
    assert all(m.attempts == 0 and "held" in m.last_error for m in left)  # not failures
    state["holding"] = False  # the cut-over
    outbox.outbox_deliver()
    assert sorted(stored) == list(range(30))
    assert not OutboxMessage.objects.using(USERS).filter(topic=TOPIC).exists()


def test_send_keeps_a_held_message_on_the_fallback_and_the_target_stays_up(handler):
    stored, state = handler
    held_id = outbox.outbox_send(topic=TOPIC, payload={"n": 1, "hold": True})
    outbox.outbox_send(topic=TOPIC, payload={"n": 2, "hold": False})
    assert stored == [2]  # still tried inline: holding is not a failing target
    assert list(OutboxMessage.objects.using(USERS).values_list("id", flat=True)) == [held_id]


def _manydb() -> dict:
    from django.conf import settings

    return settings.MANYDB
