"""Sections on the per-process workers: concurrent, kept connections, bounded by their budget."""

import threading
import time

import pytest
from django.db import connections

from manydb import guarded_all, guarded_lane, guarded_lanes, guarded_sequence
from manydb.deadlines import statements
from manydb.moving.pause import WritePause
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


def query(alias: str, sql: str = "SELECT 1"):
    def task():
        with connections[alias].cursor() as cursor:
            cursor.execute(sql)
            return threading.current_thread().name

    return task


def test_a_lane_runs_its_sections_in_turn_on_one_worker_and_the_lanes_at_once():
    nap = lambda: time.sleep(0.3) or threading.current_thread().name  # noqa: E731
    started = time.monotonic()
    sections = guarded_lanes({"one": {"a": nap, "b": nap}, "two": {"c": nap, "d": nap}})
    assert 0.6 <= time.monotonic() - started < 1.0  # two naps per lane, the lanes side by side
    assert sections["a"].value == sections["b"].value != sections["c"].value == sections["d"].value
    assert all(section.name == name and section.elapsed_ms >= 300 for name, section in sections.items())


def test_a_failing_section_leaves_the_next_one_of_its_lane_running():
    def broken():
        with connections["legacy"].cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    for run in (lambda lanes: guarded_lanes(lanes), lambda lanes: guarded_lane(lanes["legacy"])):
        sections = run({"legacy": {"broken": broken, "after": query("legacy")}})
        assert not sections["broken"].available and not sections["broken"].timed_out
        assert sections["broken"].error and sections["broken"].databases == ("legacy",)
        assert sections["after"].available and sections["after"].databases == ("legacy",)


def test_sections_queued_behind_a_stuck_one_time_out_and_the_other_lanes_arrive(budget):
    budget(0.3)
    started = time.monotonic()
    sections = guarded_lanes(
        {"stuck": {"stuck": lambda: time.sleep(2), "behind": lambda: 1}, "quick": {"q": lambda: 2}}
    )
    assert time.monotonic() - started < 1.5
    assert sections["stuck"].timed_out and sections["behind"].timed_out
    assert sections["q"].value == 2


def test_a_lane_sets_the_budget_once_per_connection(monkeypatch):
    applied = []
    real_apply = statements._apply
    monkeypatch.setattr(
        statements, "_apply", lambda wrapper, budget: applied.append(wrapper.alias) or real_apply(wrapper, budget)
    )
    for connection in connections.all(initialized_only=True):
        connection._manydb_deadline = None  # a worker's kept connection would skip it
    sections = guarded_lane({f"count {n}": query("users") for n in range(3)})
    assert all(section.available for section in sections.values())
    assert applied == ["users"]


def test_sections_leave_no_wrapper_behind_and_keep_the_cores_own():
    """A connection opened inside a section gets the core's wrappers; the section's come off."""
    for alias in ("users", "analytics"):
        connections[alias].close()
        connections[alias].execute_wrappers.clear()
    for _ in range(3):
        guarded_sequence({"users": query("users"), "analytics": query("analytics")})
        for alias in ("users", "analytics"):
            kinds = [type(wrapper) for wrapper in connections[alias].execute_wrappers]
            assert WritePause in kinds, kinds
            assert not any(kind.__module__.startswith(("manydb.ops", "manydb.deadlines")) for kind in kinds), kinds
            connections[alias].close()  # the next section opens it again, as a pooled one does


def test_a_section_not_started_by_the_pages_deadline_never_runs(budget):
    budget(0.3)
    ran = []
    sections = guarded_lanes({"stuck": {"stuck": lambda: time.sleep(0.6), "behind": lambda: ran.append("behind")}})
    time.sleep(0.6)  # the lane's worker has moved past "behind" by now
    assert sections["stuck"].timed_out and sections["behind"].timed_out
    assert ran == []
