"""The topology diagram: the databases as boxes, the streams and outboxes as arrows.

Pure geometry from the dashboard's sections, drawn by
templates/dashboard/_topology.html as server-side SVG (no script, colours
from static CSS classes). Two layouts of the same picture: a wide one, and a
tall one a phone's width can read.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.template.defaultfilters import filesizeformat

from apps.analytics.models import Event
from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, REPLICA, USERS
from manydb import routing_map

# (column, row) of each alias: the standby below its primary, the analytics shards below the
# outboxes that feed them, so every arrow crosses a gap between rows, where its label has room.
ANALYTICS_2 = f"{ANALYTICS}_2"
WIDE = {
    "columns": 3,
    **{DEFAULT: (0, 0), USERS: (1, 0), CACHE: (2, 0)},
    **{REPLICA: (0, 1), ANALYTICS: (1, 1), ANALYTICS_2: (2, 1)},
    LEGACY: (0, 2),
}
TALL = {
    "columns": 2,
    **{DEFAULT: (0, 0), USERS: (1, 0)},
    **{REPLICA: (0, 1), ANALYTICS: (1, 1)},
    **{ANALYTICS_2: (0, 2), CACHE: (1, 2)},
    LEGACY: (0, 3),
}
BOX = {"wide": (220, 118, 250, 196), "tall": (168, 118, 186, 190)}  # width, height, column step, row step


@dataclass
class Node:
    alias: str
    x: float
    y: float
    width: float
    height: float
    engine: str = ""
    apps: str = ""
    status: str = "unknown"  # up, down, timed-out
    latency: str = ""
    size: int | None = None
    sections: list = field(default_factory=list)  # (name, elapsed_ms, timed_out) of the sections it served

    @property
    def center(self):
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def served(self) -> str:
        if not self.sections:
            return "served no section"
        slowest = max(ms for _, ms, _ in self.sections)
        count = len(self.sections)
        return f"{count} section{'s' if count > 1 else ''} · {slowest:.0f} ms"

    @property
    def kind(self) -> str:
        """Engine and what lives there, cut to what the box can hold."""
        text = f"{self.engine} · {self.apps}"
        limit = int(self.width / 7.2)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    @property
    def text_x(self):
        return self.x + 10


@dataclass
class Arrow:
    kind: str  # stream or outbox
    x1: float
    y1: float
    x2: float
    y2: float
    label: str

    @property
    def label_x(self):
        return (self.x1 + self.x2) / 2

    @property
    def label_y(self):
        return (self.y1 + self.y2) / 2 - 6


def topology_diagram(sections: dict, layout: str = "wide") -> dict:
    """Nodes and arrows for ``layout`` ("wide" or "tall"), with the viewBox size."""
    grid = WIDE if layout == "wide" else TALL
    width, height, step_x, step_y = BOX[layout]
    served = _sections_per_alias(sections)
    nodes, free = {}, _free_cells(grid)
    for alias in connections:
        # An alias this layout does not know (a shard added by a reshard, a new
        # database) takes the next free cell, row by row.
        column, row = grid[alias] if alias in grid else next(free)
        node = Node(alias, 10 + column * step_x, 10 + row * step_y, width, height, sections=served.get(alias, []))
        _describe(node, sections)
        nodes[alias] = node
    arrows = _stream_arrows(nodes, sections) + _outbox_arrows(nodes, sections)
    view_width = 10 + (grid["columns"] - 1) * step_x + width + 10
    view_height = max(node.y + node.height for node in nodes.values()) + 10
    return {"nodes": list(nodes.values()), "arrows": arrows, "width": view_width, "height": view_height}


def _describe(node: Node, sections: dict) -> None:
    section = sections.get("databases", {}).get(node.alias)
    role = routing_map().role_of(node.alias)
    homes = routing_map()
    apps = sorted(_app_here(label, node.alias) for label in homes.routes if node.alias in homes.shards_of(label))
    primaries = [primary for primary, weights in routing_map().replicas.items() if node.alias in weights]
    node.apps = ", ".join(apps) if apps else f"reads of {primaries[0]}" if primaries else role
    node.engine = connections[node.alias].vendor
    if section is None or not section.available:
        node.status = "timed-out" if section is not None and section.timed_out else "down"
        return
    health, node.size = section.value["health"], section.value["size"]
    node.engine = health.engine
    node.status = "up" if health.ok else "down"
    node.latency = f"{health.latency_ms:.1f} ms" if health.ok else ""
    if any(timed_out for _, _, timed_out in node.sections):
        # Its sections ran out of their budget (a lock, a load): the probe may
        # have failed for the same reason, which is not the database being down.
        node.status = "timed-out"


def _app_here(label: str, alias: str) -> str:
    """The app's label, with the shard's place for a sharded app: "analytics 2/2"."""
    shards = routing_map().shards_of(label)
    if not routing_map().is_sharded(label):
        return label
    return f"{label} {shards.index(alias) + 1}/{len(shards)}"


def _free_cells(grid: dict):
    """The cells no alias of ``grid`` holds, row by row, without end."""
    taken = {position for key, position in grid.items() if key != "columns"}
    row = 0
    while True:
        for column in range(grid["columns"]):
            if (column, row) not in taken:
                yield column, row
        row += 1


def _sections_per_alias(sections: dict) -> dict:
    served: dict = {}
    for section in _all_sections(sections):
        if section.name.startswith("database:"):
            continue  # the diagram's own probes
        # A section merged from shards names the shards that failed it: a locked one timed out there.
        for alias in dict.fromkeys([*section.databases, *section.missing]):
            timed_out = section.timed_out or section.missing.get(alias) == "timed out"
            served.setdefault(alias, []).append((section.name, section.elapsed_ms or 0, timed_out))
    return served


def _all_sections(sections: dict):
    for value in sections.values():
        if hasattr(value, "databases"):
            yield value
        elif isinstance(value, dict):
            yield from (item for item in value.values() if hasattr(item, "databases"))
        elif isinstance(value, list):
            yield from (row["section"] for row in value if isinstance(row, dict) and "section" in row)


def _stream_arrows(nodes: dict, sections: dict) -> list[Arrow]:
    replicas = sections.get("replicas")
    rows = {row["alias"]: row for row in replicas.value} if replicas is not None and replicas.available else {}
    arrows = []
    for primary, weights in routing_map().replicas.items():
        for alias in weights:
            if primary in nodes and alias in nodes and alias != primary:
                row = rows.get(alias, {})
                label = "stream"
                if row.get("lag_seconds") is not None:
                    label = f"lag {row['lag_seconds']:.1f} s"
                    if row.get("lag_bytes") is not None:
                        label += f" · {filesizeformat(row['lag_bytes'])}"
                arrows.append(_arrow("stream", nodes[primary], nodes[alias], label))
    return arrows


def _outbox_arrows(nodes: dict, sections: dict) -> list[Arrow]:
    """An arrow from each outbox to each analytics shard; the backlog is written on the first."""
    arrows = []
    for row in sections.get("outbox", []):
        for index, target in enumerate(Event.objects.shards()):
            if row["database"] in nodes and target in nodes:
                section = row["section"]
                label = f"{section.value.count:,} waiting" if section.available else "backlog unknown"
                arrows.append(_arrow("outbox", nodes[row["database"]], nodes[target], label if index == 0 else ""))
    return arrows


def _arrow(kind: str, source: Node, target: Node, label: str) -> Arrow:
    (x1, y1), (x2, y2) = _edge(source, target.center), _edge(target, source.center)
    return Arrow(kind, round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1), label)


def _edge(node: Node, toward) -> tuple[float, float]:
    """Where the line from the node's centre toward a point leaves its box."""
    cx, cy = node.center
    dx, dy = toward[0] - cx, toward[1] - cy
    scale = min(
        (node.width / 2) / abs(dx) if dx else float("inf"),
        (node.height / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale
