"""The per-process view of each primary alias: changes are recorded, a former primary is fenced."""

from manydb.failover.servers import ServerRegistry


def test_the_first_answer_is_no_change():
    registry = ServerRegistry()
    assert registry.observe("default", "db-a:5432", in_recovery=False, timeline=1)
    (row,) = registry.snapshot()
    assert row == {
        "alias": "default",
        "server": "db-a:5432",
        "role": "primary",
        "timeline": 1,
        "changed_at": None,
        "previous": "",
        "fenced": [],
    }


def test_a_promotion_is_recorded_with_what_came_before():
    registry = ServerRegistry()
    registry.observe("default", "db-a:5432", in_recovery=False, timeline=1)
    assert registry.observe("default", "db-b:5432", in_recovery=False, timeline=2)
    (row,) = registry.snapshot()
    assert row["server"] == "db-b:5432" and row["timeline"] == 2
    assert row["previous"] == "db-a:5432 (timeline 1)"
    assert row["changed_at"].endswith("Z")


def test_a_former_primary_on_an_older_timeline_is_fenced_until_the_primary_in_use_goes_away():
    registry = ServerRegistry()
    registry.observe("default", "db-a:5432", in_recovery=False, timeline=1)
    registry.observe("default", "db-b:5432", in_recovery=False, timeline=2)
    assert not registry.observe("default", "db-a:5432", in_recovery=False, timeline=1)
    assert registry.fenced("default") == {"db-a:5432"}
    assert registry.snapshot()[0]["server"] == "db-b:5432"  # the view keeps the real primary

    assert registry.lift_fences("default") == {"db-a:5432"}
    # Rejoined and promoted in a later failover, on a newer timeline: welcome again.
    assert registry.observe("default", "db-a:5432", in_recovery=False, timeline=3)
    assert not registry.fenced("default")


def test_a_standby_reached_through_a_primary_alias_is_shown_not_fenced():
    registry = ServerRegistry()
    registry.observe("default", "db-b:5432", in_recovery=False, timeline=2)
    assert registry.observe("default", "db-a:5432", in_recovery=True, timeline=1)
    assert registry.snapshot()[0]["role"] == "standby"


def test_aliases_are_tracked_apart():
    registry = ServerRegistry()
    registry.observe("default", "db-b:5432", in_recovery=False, timeline=2)
    assert registry.observe("users", "db-a:5432", in_recovery=False, timeline=1)
