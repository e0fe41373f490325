"""manage.py reshard: 2 -> 3 and back moves exactly the rows whose shard changes, survives kill -9,
moves nothing the second time, and loses no event recorded while it runs.

Runs on whichever topology the environment selects: SQLite files under `make test`; under
`make test-real`, analytics on the primary PostgreSQL server and analytics_2 and analytics_3 on
the shard server (two servers, so rows cross from one machine's worth of server to another).
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connections, transaction
from django.test import override_settings
from django.utils import timezone

from apps.analytics.models import Event
from apps.analytics.services import event_record, event_record_on_commit
from config.aliases import USERS
from manydb import shard_of
from manydb.models import OutboxMessage
from manydb.moving import checkpoints
from manydb.moving.verification import digest
from manydb.outbox.delivery import outbox_deliver
from manydb.sharding.reshard import reshard
from tests.manydb.moving.support import database_url, process_environment

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

BASE_DIR = settings.BASE_DIR
TWO = ("analytics", "analytics_2")
THREE = ("analytics", "analytics_2", "analytics_3")
COLUMNS = [field.attname for field in Event._meta.concrete_fields]


def shards(aliases, *, resharding_to=None):
    """The settings of a site whose events are sharded over ``aliases`` (resharding to a count, or not)."""
    config = {**settings.MANYDB, "ROUTES": {**settings.MANYDB["ROUTES"], "analytics": aliases}}
    config.pop("RESHARDING", None)
    if resharding_to is not None:
        config["RESHARDING"] = {"analytics": resharding_to}
    return override_settings(MANYDB=config)


@pytest.fixture(autouse=True)
def clean_shards():
    """Each test starts on two shards with none of its events, and leaves no rows or watermarks behind."""
    yield
    connections.close_all()
    for alias in THREE:
        connection = connections[alias]
        tables = connection.introspection.table_names()
        with connection.cursor() as cursor:
            for table in (Event._meta.db_table, checkpoints.TABLE):
                if table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def seed(count: int, aliases=TWO) -> None:
    """``count`` events, each on its key's shard: accounts, anonymous sessions, and events with no key."""
    now = timezone.now()
    placed: dict[str, list] = {}
    for n in range(count):
        kind = n % 10
        event = Event(
            event_id=uuid.uuid4(),
            event_type="page_view" if kind else "login",
            user_id=n % 97 + 1 if kind < 7 else None,
            session_key=f"s{n % 31}" if kind in (7, 8) else "",
            path=f"/blog/post-{n % 13}/",
            data={"n": n},
            occurred_at=now - timezone.timedelta(minutes=n % 600),
        )
        placed.setdefault(shard_of(Event, event.shard_key, shards=aliases), []).append(event)
    for alias, events in placed.items():
        Event._base_manager.using(alias).bulk_create(events, batch_size=500)


def snapshot(aliases) -> dict:
    """id -> (alias, the row's values) for every event on ``aliases``; an id on two shards fails."""
    rows = {}
    for alias in aliases:
        if Event._meta.db_table not in connections[alias].introspection.table_names():
            continue
        for values in Event._base_manager.using(alias).order_by().values_list(*COLUMNS):
            assert values[0] not in rows, f"event {values[0]} is on {rows[values[0]][0]} and {alias}"
            rows[values[0]] = (alias, values)
    return rows


def key_of(values) -> object:
    return Event(**dict(zip(COLUMNS, values, strict=True))).shard_key


def assert_placed(rows: dict, aliases) -> None:
    misplaced = [pk for pk, (alias, values) in rows.items() if alias != shard_of(Event, key_of(values), shards=aliases)]
    assert not misplaced, f"{len(misplaced)} event(s) not on their shard, e.g. {misplaced[:3]}"


def assert_resharded(before: dict, after: dict, aliases) -> int:
    """No row lost, none doubled, none changed; each on its shard; only those whose shard changed moved."""
    assert after.keys() == before.keys()
    assert digest([v for _, v in after.values()], Event._meta.concrete_fields) == digest(
        [v for _, v in before.values()], Event._meta.concrete_fields
    )
    assert all(after[pk][1] == before[pk][1] for pk in before)
    assert_placed(after, aliases)
    return sum(1 for pk in before if after[pk][0] != before[pk][0])


def test_two_to_three_moves_exactly_the_rows_whose_shard_changes_and_back():
    seed(1500)
    before = snapshot(THREE)
    expected = sum(1 for alias, values in before.values() if shard_of(Event, key_of(values), shards=THREE) != alias)
    with shards(TWO, resharding_to=3):
        report = reshard("analytics", to=3, chunk_size=100)
    assert report.migrated == ["analytics_3"]
    after = snapshot(THREE)
    moved = assert_resharded(before, after, THREE)
    assert moved == expected == report.moved == report.deleted
    assert {after[pk][0] for pk in after if after[pk][0] != before[pk][0]} == {"analytics_3"}
    assert 0.2 < moved / len(before) < 0.45  # about a third: jump hashing's promise
    # Made by the migrations (on PostgreSQL: partitioned by month, like the other shards)...
    if connections["analytics_3"].vendor == "postgresql":
        assert {relkind("analytics"), relkind("analytics_3")} == {"p"}
    # ...and issuing ids from its own slot, past every id the moved rows kept.
    with shards(THREE):
        fresh = Event.objects.on_shard("analytics_3").create(event_type="login", user_id=1, occurred_at=timezone.now())
    assert fresh.pk >= 3 << 48
    Event._base_manager.using("analytics_3").filter(pk=fresh.pk).delete()
    # Back to two: exactly the rows of analytics_3 move, to the shard they came from.
    with shards(THREE, resharding_to=2):
        back = reshard("analytics", to=2, chunk_size=100)
    final = snapshot(THREE)
    assert final == before
    assert back.moved == moved and not Event._base_manager.using("analytics_3").exists()


def test_a_second_run_moves_nothing_and_after_the_cut_over_every_row_is_checked():
    seed(400)
    with shards(TWO, resharding_to=3):
        first = call_command_output("reshard", "analytics", "--to", "3", "--chunk-size", "50")
        second = reshard("analytics", to=3, chunk_size=50)
    assert "row(s) moved and verified" in first
    assert second.moved == 0 and second.deleted == 0
    with shards(THREE):
        output = call_command_output("reshard", "analytics", "--to", "3")
    assert "400 row(s) checked, 0 on a shard not theirs" in output


def test_a_row_on_the_wrong_shard_is_reported():
    seed(50)
    with shards(TWO):
        stray = Event._base_manager.using("analytics").first()
        stray.pk = None
        stray.event_id = uuid.uuid4()
        stray.user_id = next(n for n in range(1, 999) if shard_of(Event, n, shards=TWO) == "analytics_2")
        stray.save(using="analytics")
        with pytest.raises(CommandError, match=r"misplaced rows \(analytics: 1\)") as caught:
            call_command_output("reshard", "analytics", "--to", "2")
    assert caught.value.returncode == 1


@pytest.mark.parametrize(
    ("arguments", "state", "message"),
    [
        (["blog", "--to", "3"], None, r"'blog' is not sharded"),
        (["analytics", "--to", "3"], None, r"set MANYDB_RESHARDING=analytics=3"),
        (["analytics", "--to", "4"], 3, r"set MANYDB_RESHARDING=analytics=4"),
        (["analytics", "--to", "0"], None, r"--to must be at least 1"),
    ],
)
def test_refusals_name_what_to_set_and_write_nothing(arguments, state, message):
    seed(20)
    before = snapshot(THREE)
    with shards(TWO, resharding_to=state), pytest.raises(CommandError, match=message) as caught:
        call_command_output("reshard", *arguments)
    assert caught.value.returncode == 2
    assert snapshot(THREE) == before


def test_a_shard_without_its_url_is_refused():
    with shards(TWO, resharding_to=4), pytest.raises(CommandError, match=r"set ANALYTICS_4_DATABASE_URL"):
        call_command_output("reshard", "analytics", "--to", "4")


@pytest.mark.parametrize("phase", ["copy", "delete"])
def test_killed_half_way_a_rerun_finishes_exactly(phase):
    seed(4000)
    before = snapshot(THREE)
    moving = sum(1 for alias, values in before.values() if shard_of(Event, key_of(values), shards=THREE) != alias)
    on_first = sum(1 for alias, _ in before.values() if alias == "analytics")
    command = [sys.executable, "manage.py", "reshard", "analytics", "--to", "3", "--chunk-size", "20"]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=reshard_environment(), stdout=subprocess.DEVNULL)
    kill_at = random.randint(60, moving // 3)
    try:
        deadline = time.monotonic() + 180
        while progress_of(phase, on_first) < kill_at:
            assert process.poll() is None, f"reshard ended before the kill (exit {process.returncode})"
            assert time.monotonic() < deadline, "reshard made no progress"
            time.sleep(0.005)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    copied = Event._base_manager.using("analytics_3").count()
    on_shards = sum(Event._base_manager.using(alias).count() for alias in THREE)
    assert 0 < copied < moving and on_shards > len(before)  # half-way: some rows on both sides, some not yet copied
    finish = subprocess.run(command, cwd=BASE_DIR, env=reshard_environment(), capture_output=True, text=True)
    assert finish.returncode == 0, finish.stderr
    assert "row(s) moved and verified" in finish.stdout
    assert assert_resharded(before, snapshot(THREE), THREE) == moving
    again = subprocess.run(command, cwd=BASE_DIR, env=reshard_environment(), capture_output=True, text=True)
    assert "0 row(s) moved and verified, 0 deleted" in again.stdout, again.stdout + again.stderr


def test_events_recorded_during_a_reshard_all_land_once_on_their_shard():
    """The site keeps recording while another process reshards: keys that stay are stored at once,
    keys that move wait in the outbox, and after the cut-over each event is on its shard exactly once."""
    seed(3000)
    recorded: dict[uuid.UUID, object] = {}
    stop = threading.Event()
    errors = []

    def site():
        """Page views (sent inline) and sign-up style events (committed with a write on users)."""
        n = 0
        try:
            while not stop.is_set() or n < 120:
                n += 1
                user_id = random.randint(1, 400)
                if n % 3:
                    recorded[event_record(event_type="page_view", user_id=user_id, path="/")] = user_id
                else:
                    with transaction.atomic(using=USERS):
                        event_id = event_record_on_commit(using=USERS, event_type="login", user_id=user_id)
                    recorded[event_id] = user_id
                time.sleep(0.002)
        except Exception as exc:  # seen by the test, not lost in the thread
            errors.append(repr(exc))
        finally:
            connections.close_all()

    with shards(TWO, resharding_to=3):
        writer = threading.Thread(target=site)
        writer.start()
        try:
            done = subprocess.run(
                [sys.executable, "manage.py", "reshard", "analytics", "--to", "3", "--chunk-size", "50"],
                cwd=BASE_DIR, env=reshard_environment(), capture_output=True, text=True, timeout=600,
            )  # fmt: skip
        finally:
            stop.set()
            writer.join()
        assert not errors, errors
        assert done.returncode == 0, done.stderr
        moving = {pk for pk, user_id in recorded.items() if shard_of(Event, user_id, shards=THREE) == "analytics_3"}
        assert moving and len(moving) < len(recorded)
        stored = snapshot(TWO)
        by_event_id = {values[1]: alias for alias, values in stored.values()}
        assert not moving & by_event_id.keys()  # held, not written to the shard they are leaving
        held = set(OutboxMessage.objects.using(USERS).values_list("id", flat=True))
        assert moving <= held  # every moving key's event waits in the outbox...
        assert (recorded.keys() - moving) & by_event_id.keys()  # ...while keys that stay are stored as usual
    # The cut-over: three shards, no resharding state; the held events are delivered.
    with shards(THREE):
        while any(report.delivered for report in outbox_deliver()):
            pass
        assert not OutboxMessage.objects.using(USERS).exists()
        after = snapshot(THREE)
        assert_placed(after, THREE)
    where = {}
    for alias, values in after.values():
        assert values[1] not in where, f"event {values[1]} stored twice"
        where[values[1]] = alias
    assert recorded.keys() <= where.keys(), f"{len(recorded.keys() - where.keys())} event(s) lost"
    assert {where[pk] for pk in moving} == {"analytics_3"}


def reshard_environment() -> dict:
    """A manage.py process on this suite's test databases, with the resharding state set."""
    return process_environment(
        ANALYTICS_2_DATABASE_URL=database_url("analytics_2"),
        ANALYTICS_3_DATABASE_URL=database_url("analytics_3"),
        ANALYTICS_SHARDS="2",
        MANYDB_RESHARDING="analytics=3",
    )


def progress_of(phase: str, on_first: int) -> int:
    """Rows copied to analytics_3 so far, or deleted from analytics (0 while its table is missing)."""
    try:
        if phase == "copy":
            if Event._meta.db_table not in connections["analytics_3"].introspection.table_names():
                return 0
            return Event._base_manager.using("analytics_3").count()
        return on_first - Event._base_manager.using("analytics").count()
    except OperationalError:  # the other process holds the SQLite file's lock for a moment
        for alias in ("analytics", "analytics_3"):
            connections[alias].close()
        return 0


def relkind(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [Event._meta.db_table])
        return cursor.fetchone()[0]


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
