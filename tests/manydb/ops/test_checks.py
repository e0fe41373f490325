"""The routing map is checked at start-up: one check id per mistake, each naming the fix."""

import pytest
from django.conf import settings
from django.test import override_settings

from config.aliases import DEFAULT, REPLICA, USERS
from manydb.ops.checks import check_routing_map
from manydb.topology.routing_map import KEYS, routing_map


def errors_with(**changes):
    with override_settings(MANYDB={**settings.MANYDB, **changes}):
        return [(error.id, error.msg, error.hint) for error in check_routing_map()]


def test_the_project_map_is_clean():
    assert check_routing_map() == []


def test_an_unknown_key_is_refused_with_the_valid_ones():
    [(check_id, msg, hint)] = errors_with(REPLICA_READ={"MAX_LAG_SECONDS": 1})
    assert check_id == "manydb.E007"
    assert "REPLICA_READ" in msg
    assert all(key in hint for key in KEYS)


@pytest.mark.parametrize(
    ("outbox", "check_id"),
    [
        ({"ALIASES": [DEFAULT, "nowhere"]}, "manydb.E001"),
        ({"ALIASES": [DEFAULT, REPLICA]}, "manydb.E005"),
        ({"ALIASES": [DEFAULT], "FALLBACK": USERS}, "manydb.E006"),
    ],
)
def test_each_outbox_mistake_has_its_own_id(outbox, check_id):
    assert [found for found, _, _ in errors_with(OUTBOX=outbox)] == [check_id]


def test_an_unknown_option_in_a_section_names_the_valid_ones():
    with override_settings(MANYDB={**settings.MANYDB, "OUTBOX": {"RETRY_SECS": 1}}):
        with pytest.raises(ValueError, match=r"RETRY_SECS.*valid:.*RETRY_SECONDS"):
            routing_map()


def test_outbox_intervals_are_settings():
    outbox = {**settings.MANYDB["OUTBOX"], "RETRY_SECONDS": 7, "SWEEP_SECONDS": 8, "SWEEP_BATCH": 9, "BATCH": 10}
    with override_settings(MANYDB={**settings.MANYDB, "OUTBOX": outbox}):
        options = routing_map().outbox
    assert (options.retry_seconds, options.sweep_seconds, options.sweep_batch, options.batch) == (7, 8, 9, 10)
