"""move_data: every engine pair, resumed after kill -9, verified, and each refusal."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.models import Q
from django.utils import timezone

import manydb
from apps.analytics.models import Event
from apps.legacy.models import Customer, Order
from manydb.moving import checkpoints

from .support import SAMPLE_CUSTOMERS, add_customers, drop_moved_tables, process_environment, same_rows

BASE_DIR = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def move(*args) -> str:
    out = StringIO()
    call_command("move_data", "legacy", *args, stdout=out, stderr=out)
    return out.getvalue()


def assert_moved(source: str, target: str) -> None:
    assert same_rows(Customer, source, target)
    assert same_rows(Order, source, target)


def test_moves_the_legacy_schema_to_another_database(targets):
    output = move("--from", "legacy", "--to", "analytics", "--chunk-size", "7")
    assert "legacy.Customer: verified 40 row(s) in 6 range(s)" in output
    assert "legacy -> analytics verified" in output
    assert_moved("legacy", "analytics")
    # The target's sequence is past the highest id it received.
    created = Customer.objects.using("analytics").create(name="New", country_code="FR", created_at=timezone.now())
    assert created.pk == SAMPLE_CUSTOMERS + 1


def test_between_two_databases_of_the_same_engine(targets):
    move("--from", "legacy", "--to", "analytics")
    move("--from", "analytics", "--to", "cache")  # PostgreSQL -> PostgreSQL: binary COPY on the real topology
    assert_moved("legacy", "cache")


def test_into_and_out_of_an_embedded_file(targets, embedded):
    move("--from", "legacy", "--to", embedded)  # MariaDB -> SQLite on the real topology
    move("--from", embedded, "--to", "default")  # SQLite -> PostgreSQL
    assert_moved("legacy", embedded)
    assert_moved("legacy", "default")
    drop_moved_tables("default")
    move("--from", "legacy", "--to", "default")
    move("--from", "default", "--to", embedded, "--replace")  # PostgreSQL -> SQLite
    assert_moved("default", embedded)


def test_a_second_run_catches_up_with_new_rows_only(targets):
    move("--from", "legacy", "--to", "analytics", "--chunk-size", "10")
    add_customers(25)
    output = move("--from", "legacy", "--to", "analytics", "--chunk-size", "10")
    assert "legacy.Customer: 25 row(s) copied" in output
    assert "legacy.Order: 0 row(s) copied" in output
    assert_moved("legacy", "analytics")


def test_models_subset_and_filter_through_the_python_api(targets):
    result = manydb.move_rows(Customer, source="legacy", target="analytics", where=Q(country_code="FR"))
    assert result.ok
    expected = set(Customer.objects.using("legacy").filter(country_code="FR").values_list("pk", flat=True))
    assert expected and set(Customer.objects.using("analytics").values_list("pk", flat=True)) == expected
    assert Order._meta.db_table not in connections["analytics"].introspection.table_names()


def test_verification_catches_a_row_changed_behind_its_back(targets):
    move("--from", "legacy", "--to", "analytics", "--chunk-size", "10")
    changed = Order.objects.using("analytics").order_by("pk")[57]
    Order.objects.using("analytics").filter(pk=changed.pk).update(total=changed.total + 1)
    with pytest.raises(CommandError, match="verification failed for legacy.Order") as failure:
        move("--from", "legacy", "--to", "analytics", "--verify-only", "--chunk-size", "10")
    assert failure.value.returncode == 1
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "move_data", "legacy", "--from", "legacy", "--to", "analytics", "--verify-only", "--chunk-size", "10",
            stdout=out, stderr=out,
        )  # fmt: skip
    # The range named is the one holding the changed row, and only that one.
    ranges = [line for line in out.getvalue().splitlines() if "rows differ" in line]
    assert len(ranges) == 1 and ranges[0].startswith("legacy.Order: rows differ for pk in (")
    low, high = ranges[0].split("(", 1)[1].split("]", 1)[0].split(", ")
    assert int(low) < changed.pk <= int(high)


def test_refuses_a_replica_target(targets):
    with pytest.raises(CommandError, match="refused: the target 'replica' is a replica") as refusal:
        move("--from", "legacy", "--to", "replica")
    assert refusal.value.returncode == 2


def test_refuses_the_same_database_under_another_alias(targets):
    source = connections["legacy"]
    connections["legacy_again"] = type(source)({**source.settings_dict}, "legacy_again")
    try:
        with pytest.raises(CommandError, match="'legacy' and 'legacy_again' are the same database"):
            move("--from", "legacy", "--to", "legacy_again")
    finally:
        connections["legacy_again"].close()
        del connections["legacy_again"]


def test_refuses_a_target_holding_different_rows_for_the_same_ids(targets):
    move("--from", "legacy", "--to", "analytics")
    checkpoints.forget("analytics", "legacy.Customer<legacy")
    checkpoints.forget("analytics", "legacy.Order<legacy")
    # Identical rows are not a conflict: the move recognises them.
    move("--from", "legacy", "--to", "analytics")
    checkpoints.forget("analytics", "legacy.Customer<legacy")
    Customer.objects.using("analytics").filter(pk=3).update(name="Someone else")
    with pytest.raises(
        CommandError, match=r"legacy.Customer: the target 'analytics' already holds different rows.*pk 3\)"
    ):
        move("--from", "legacy", "--to", "analytics")
    assert Customer.objects.using("analytics").get(pk=3).name == "Someone else"  # nothing written
    move("--from", "legacy", "--to", "analytics", "--replace")
    assert_moved("legacy", "analytics")


def test_killed_at_a_random_point_a_rerun_finishes_exactly(targets):
    add_customers(8000)
    total = Customer.objects.using("legacy").count() + Order.objects.using("legacy").count()
    kill_at = random.randint(100, total - 500)
    command = [sys.executable, "manage.py", "move_data", "legacy", "--from", "legacy", "--to", "analytics"]
    process = subprocess.Popen(
        [*command, "--chunk-size", "20"], cwd=BASE_DIR, env=process_environment(), stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while (copied := _copied_while_moving("analytics")) < kill_at:
            assert process.poll() is None, f"move_data ended before row {kill_at} (exit {process.returncode})"
            assert time.monotonic() < deadline, "move_data made no progress"
            time.sleep(0.005)
        assert process.poll() is None, f"move_data finished before the kill (aimed at row {kill_at})"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    # What each checkpoint says is exactly what the target holds.
    for model in (Customer, Order):
        state = checkpoints.load("analytics", f"{model._meta.label}<legacy")
        assert model.objects.using("analytics").count() == (state[1] if state else 0)
    assert _copied("analytics") < total, f"killed at {copied} of {total} rows"
    output = move("--from", "legacy", "--to", "analytics", "--chunk-size", "20")
    assert "legacy -> analytics verified" in output
    assert_moved("legacy", "analytics")


def _copied_while_moving(alias: str) -> int:
    """Like _copied, asked while the mover writes. On SQLite the question must not wait on the
    mover's locks: a reader waiting with SQLite's busy handler can be starved until the copy is
    over (each chunk's commit locks the file again), and the kill would land too late. So it is
    asked without waiting, and a locked file answers 0 (ask again)."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return _copied(alias)
    keys = [f"{model._meta.label}<legacy" for model in (Customer, Order)]
    try:
        with closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=0)) as reader:
            rows = reader.execute(
                f"SELECT rows_copied FROM {checkpoints.TABLE} WHERE move_key IN (?, ?)", keys
            ).fetchall()
    except sqlite3.OperationalError:  # locked, or the table does not exist yet
        return 0
    return sum(row[0] for row in rows)


def _copied(alias: str) -> int:
    """Rows the checkpoints on ``alias`` account for, both models together (0 before the move starts)."""
    try:
        states = [checkpoints.load(alias, f"{model._meta.label}<legacy") for model in (Customer, Order)]
    except Exception:  # the checkpoint table does not exist yet
        connections[alias].close()  # a failed statement may leave a PostgreSQL transaction aborted
        return 0
    return sum(state[1] for state in states if state)


def test_json_uuid_and_datetime_columns_cross_engines(targets, embedded):
    """Events: a UUID, JSON and an aware datetime, checked in Python (no SQL checksum for these types)."""
    now = timezone.now()
    Event.objects.using("analytics").bulk_create(
        Event(event_type="page_view", user_id=n, path=f"/p/{n}", data={"n": n, "tags": ["a", "é"]}, occurred_at=now)
        for n in range(30)
    )
    try:
        for source, target in (("analytics", "cache"), ("cache", embedded), (embedded, "default")):
            result = manydb.move_rows(Event, source=source, target=target, chunk_size=7)
            assert result.ok and result.total == 30
            assert same_rows(Event, "analytics", target)
    finally:
        for alias in ("cache", "default"):
            with connections[alias].cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {Event._meta.db_table}")
