"""Replica choice: consistent for the writer, per scope, per thread, by weight.

Most of these need no database: routing decisions are made before any query.
"""

import threading
from collections import Counter

import pytest
from django.db import router, transaction
from django.test import override_settings

from apps.blog.models import Post
from config.aliases import DEFAULT, REPLICA
from multidb.replicas import read_alias, routing_scope, use_primary


def read_db():
    return router.db_for_read(Post)


def test_reads_go_to_the_replica_outside_transactions():
    with routing_scope():
        assert read_db() == REPLICA


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    with routing_scope():
        with transaction.atomic(using=DEFAULT):
            assert read_db() == DEFAULT
        assert read_db() == REPLICA


def test_after_a_write_the_scope_reads_from_the_primary():
    with routing_scope():
        assert read_db() == REPLICA
        router.db_for_write(Post)
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
        assert read_db() == REPLICA
        assert decorated() == DEFAULT
        assert read_db() == REPLICA


def test_a_write_in_one_thread_does_not_pin_another():
    seen = {}
    written = threading.Event()

    def writer():
        with routing_scope():
            router.db_for_write(Post)
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
    multidb = {**settings.MULTIDB, "REPLICAS": {DEFAULT: {REPLICA: 4}}, "PRIMARY_WEIGHT": {DEFAULT: 1}}
    with override_settings(MULTIDB=multidb):
        choices = Counter()
        for _ in range(2000):
            with routing_scope():
                first = read_alias(DEFAULT)
                assert all(read_alias(DEFAULT) == first for _ in range(3))
                choices[first] += 1
    share = choices[REPLICA] / 2000
    assert 0.75 < share < 0.85, choices
