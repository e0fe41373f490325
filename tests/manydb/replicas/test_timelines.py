"""Read-your-writes marks across a promotion: positions still count, older timelines never serve."""

from manydb.replicas import tokens
from manydb.replicas.probe import ReplicaProbe


def standby(replayed, timeline):
    return ReplicaProbe(replayed=replayed, lag_seconds=0.0, in_recovery=True, timeline=timeline)


def test_a_mark_keeps_its_timeline_through_the_token():
    token = tokens.token_dumps({"default": (tokens.LSN, 5000, 2)})
    mark = tokens.token_loads(token, max_age=60)["default"]
    assert mark == ("lsn", 5000, 2)
    assert tokens.timeline_of(mark) == 2


def test_tokens_issued_without_a_timeline_still_count():
    token = tokens.token_dumps({"default": (tokens.LSN, 5000)})
    mark = tokens.token_loads(token, max_age=60)["default"]
    assert tokens.timeline_of(mark) is None
    assert standby(6000, 3).has_replayed(mark[1], timeline=tokens.timeline_of(mark))
    assert not standby(4000, 3).has_replayed(mark[1], timeline=tokens.timeline_of(mark))


def test_a_mark_from_an_older_timeline_is_compared_by_position():
    assert standby(replayed=9000, timeline=2).has_replayed(8000, timeline=1)
    assert not standby(replayed=7000, timeline=2).has_replayed(8000, timeline=1)


def test_a_replica_behind_the_marks_timeline_never_serves_it():
    assert not standby(replayed=10**9, timeline=1).has_replayed(8000, timeline=2)
    former_primary = ReplicaProbe(replayed=None, lag_seconds=0.0, in_recovery=False, timeline=1)
    assert not former_primary.has_replayed(8000, timeline=2)
    assert ReplicaProbe(replayed=None, lag_seconds=0.0, in_recovery=False, timeline=2).has_replayed(8000, timeline=2)


def test_the_newer_timeline_wins_a_merge():
    old = {"default": (tokens.LSN, 9000, 1)}
    assert tokens.merge(old, {"default": (tokens.LSN, 8000, 2)}) == {"default": ("lsn", 8000, 2)}
    assert tokens.merge({"default": (tokens.LSN, 8000, 2)}, old) == {"default": ("lsn", 8000, 2)}
