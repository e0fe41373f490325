"""The topology diagram's geometry: every database a box of its own, none on another."""

import pytest
from django.db import connections

from apps.dashboard.topology import TALL, WIDE, topology_diagram


@pytest.mark.parametrize("layout", ["wide", "tall"])
def test_every_database_has_a_box_and_no_two_boxes_overlap(layout):
    nodes = topology_diagram({}, layout=layout)["nodes"]
    assert sorted(node.alias for node in nodes) == sorted(connections)
    corners = [(node.x, node.y) for node in nodes]
    assert len(set(corners)) == len(corners)


@pytest.mark.parametrize(("layout", "grid"), [("wide", WIDE), ("tall", TALL)])
def test_a_database_the_layout_does_not_know_takes_the_first_free_cell(layout, grid):
    unknown = [alias for alias in connections if alias not in grid]
    assert unknown, "the test settings add a spare analytics shard the layouts do not place"
    nodes = {node.alias: node for node in topology_diagram({}, layout=layout)["nodes"]}
    legacy = nodes["legacy"]
    # The last row of the layout has room beside legacy: the first unknown alias sits there,
    # not in a row of its own below an empty gap.
    assert nodes[unknown[0]].y == legacy.y and nodes[unknown[0]].x > legacy.x
