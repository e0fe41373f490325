"""Replica choice: consistent for the writer, per scope, per thread, by weight, around failures."""

import threading
import time
from collections import Counter

import pytest
from django.db import connections, router, transaction
from django.test import override_settings

from apps.blog.models import Post
from config.aliases import DEFAULT, REPLICA
from manydb.replicas import tokens
from manydb.replicas.breaker import COOLING_DOWN, replica_health
from manydb.replicas.choice import read_alias
from manydb.scope.state import routing_scope, use_primary
from manydb.scope.writes import scope_token

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def read_db():
    return router.db_for_read(Post)


def write():
    """A real write statement on the primary (an UPDATE that matches nothing still runs)."""
    Post.objects.filter(pk=0).update(title="")


def replica_reads(**options):
    """override_settings for MANYDB["REPLICA_READS"]."""
    from django.conf import settings

    return override_settings(MANYDB={**settings.MANYDB, "REPLICA_READS": options})


def test_reads_go_to_the_replica_outside_transactions():
    with routing_scope():
        assert read_db() == REPLICA


def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    with routing_scope():
        with transaction.atomic(using=DEFAULT):
            assert read_db() == DEFAULT
        assert read_db() == REPLICA


def test_after_a_write_the_scope_reads_from_the_primary():
    with routing_scope():
        assert read_db() == REPLICA
        write()
        assert read_db() == DEFAULT
    with routing_scope():
        assert read_db() == REPLICA  # a new request starts unpinned


def test_use_primary_as_context_manager_and_decorator():
    @use_primary()
    def decorated():
        return read_db()

    with routing_scope():
        with use_primary():
            assert read_db() == DEFAULT
            with use_primary():
                assert read_db() == DEFAULT
            assert read_db() == DEFAULT
        assert decorated() == DEFAULT
    with routing_scope():
        assert read_db() == REPLICA


def test_a_write_in_one_thread_does_not_pin_another():
    seen = {}
    written = threading.Event()

    def writer():
        with routing_scope():
            write()
            written.set()
            seen["writer"] = read_db()

    def reader():
        written.wait(5)
        with routing_scope():
            seen["reader"] = read_db()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"writer": DEFAULT, "reader": REPLICA}


def test_weights_share_reads_and_one_choice_holds_for_a_scope(settings):
    manydb = {**settings.MANYDB, "REPLICAS": {DEFAULT: {REPLICA: 4}}, "PRIMARY_WEIGHT": {DEFAULT: 1}}
    with override_settings(MANYDB=manydb):
        choices = Counter()
        for _ in range(1000):
            with routing_scope():
                first = read_alias(DEFAULT)
                assert all(read_alias(DEFAULT) == first for _ in range(3))
                choices[first] += 1
    share = choices[REPLICA] / 1000
    assert 0.74 < share < 0.86, choices


def test_a_dead_replica_cools_down_and_reads_go_to_the_primary(database_down):
    with database_down(REPLICA):
        with routing_scope():
            assert read_db() == DEFAULT
        [state] = [row for row in replica_health.snapshot([REPLICA]) if row["alias"] == REPLICA]
        assert state["state"] == COOLING_DOWN
    # Back up, but still cooling down: nobody tries it until the cool-down ends.
    with routing_scope():
        assert read_db() == DEFAULT


def test_after_the_cool_down_the_replica_is_tried_again(database_down):
    with replica_reads(COOLDOWN_SECONDS=0):
        with database_down(REPLICA):
            with routing_scope():
                assert read_db() == DEFAULT
        with routing_scope():
            assert read_db() == REPLICA


def test_scope_token_carries_the_log_position_where_the_engine_has_one():
    with routing_scope():
        assert scope_token() is None  # nothing written, nothing to carry
        write()
        token = scope_token()
    kind, value, *timeline = tokens.token_loads(token, max_age=60)[DEFAULT]
    if connections[DEFAULT].vendor == "postgresql":
        assert kind == tokens.LSN and value > 0
        assert timeline and timeline[0] >= 1  # the timeline the write was on
    else:  # SQLite: no log position, so the time of the write
        assert kind == tokens.TIME and abs(value - time.time()) < 60


def test_time_marks_pin_to_the_primary_within_the_window_only():
    with replica_reads(CAUSAL_TOKENS="time"):
        with routing_scope():
            write()
            token = scope_token()
        with routing_scope(token=token):
            assert read_db() == DEFAULT
    with replica_reads(CAUSAL_TOKENS="time", FALLBACK_PIN_SECONDS=0):
        with routing_scope(token=token):
            assert read_db() == REPLICA


def test_time_mode_uses_the_window_on_every_engine():
    with replica_reads(CAUSAL_TOKENS="time", FALLBACK_PIN_SECONDS=30):
        with routing_scope():
            write()
            token = scope_token()
        assert tokens.token_loads(token, max_age=60)[DEFAULT][0] == tokens.TIME
        with routing_scope(token=token):
            assert read_db() == DEFAULT


def test_unknown_replica_option_is_a_clear_error():
    with pytest.raises(ValueError, match="MAX_LAG"):
        with replica_reads(MAX_LAG=3):
            read_db()


def test_weights_spread_reads_over_several_replicas_in_proportion():
    from manydb.replicas.choice import _weighted_pick

    picks = Counter(_weighted_pick({"replica": 3, "replica_2": 1, "default": 0}) for _ in range(8000))
    assert set(picks) == {"replica", "replica_2"}  # weight 0 never serves
    assert 0.72 < picks["replica"] / 8000 < 0.78
