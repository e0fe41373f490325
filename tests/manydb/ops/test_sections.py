"""Sections on the per-process workers: concurrent, kept connections, bounded by their budget."""

import threading
import time

import pytest
from django.db import connections

from manydb import guarded_all, guarded_sequence
from manydb.ops.section_pool import SectionOptions

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def budget(settings):
    def set_budget(seconds: float, grace: float = 0.1):
        settings.MANYDB = {**settings.MANYDB, "SECTIONS": {"BUDGET_SECONDS": seconds, "GRACE_SECONDS": grace}}

    return set_budget


def raw_connection(alias: str):
    def task():
        connections[alias].ensure_connection()
        return id(connections[alias].connection), threading.current_thread().name

    return task


def test_sections_run_on_the_section_workers_at_the_same_time():
    started = time.monotonic()
    sections = guarded_all({f"nap {n}": lambda: time.sleep(0.3) or threading.current_thread().name for n in range(4)})
    assert time.monotonic() - started < 1.0  # four 0.3 s naps, not one after another
    assert all(section.value.startswith("manydb-section") for section in sections.values())


def test_a_worker_keeps_its_connection_between_pages():
    seen = {}
    for _ in range(8):
        for section in guarded_all({"legacy": raw_connection("legacy")}).values():
            connection_id, thread = section.value
            seen.setdefault(thread, set()).add(connection_id)
    assert all(len(ids) == 1 for ids in seen.values()), seen


def test_a_section_that_does_not_answer_is_timed_out_and_the_rest_arrives(budget):
    budget(0.3)
    started = time.monotonic()
    sections = guarded_all({"stuck": lambda: time.sleep(2), "quick": lambda: 42})
    assert time.monotonic() - started < 1.5
    assert sections["stuck"].timed_out and not sections["stuck"].available
    assert sections["quick"].value == 42


def test_each_section_records_the_databases_that_served_it():
    def both():
        for alias in ("users", "legacy"):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")

    for run_all in (guarded_all, guarded_sequence):
        section = run_all({"both": both})["both"]
        assert section.databases == ("users", "legacy") and section.elapsed_ms >= 0


def test_bad_section_settings_name_the_key(settings):
    settings.MANYDB = {**settings.MANYDB, "SECTIONS": {"BUDGET": 1}}
    with pytest.raises(ValueError, match="SECTIONS.*BUDGET"):
        SectionOptions.from_settings()
