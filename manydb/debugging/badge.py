"""The development badge: "reads: replica" or "reads: primary (why)", on every page.

A context processor (add ``"manydb.debugging.badge.reads_badge"`` in
development settings); the base template shows ``manydb_reads`` when set.
"""

import time

from django.utils.functional import lazy

from manydb.replicas import tokens
from manydb.scope.state import current_state
from manydb.topology.routing_map import routing_map


def reads_badge(request) -> dict:
    # Lazy: a page's reads may happen while its template renders (a queryset
    # iterated there), so the text is decided where the badge is drawn, last.
    return {"manydb_reads": lazy(reads_summary, str)()}


def reads_summary() -> str:
    """Where this request's reads of replicated data went, in a few words."""
    state = current_state()
    parts = []
    for primary in routing_map().replicas:
        chosen = state.chosen.get(primary)
        if state.forced_primary:
            parts.append("primary (use_primary() is active)")
        elif primary in state.written:
            parts.append("primary (this request wrote)")
        elif chosen is None:
            parts.append("not decided yet (no replicated read so far)")
        elif chosen != primary:
            parts.append(f"replica ({chosen})")
        else:
            parts.append(f"primary ({_pin_reason(state, primary)})")
    return "reads: " + "; ".join(parts) if parts else ""


def _pin_reason(state, primary: str) -> str:
    mark = state.required.get(primary)
    if mark and mark[0] == tokens.TIME:
        left = routing_map().replica_reads.fallback_pin_seconds - (time.time() - mark[1])
        return f"pinned after your write, {max(left, 0):.1f} s left"
    if mark:
        return "pinned after your write until a replica has replayed it"
    return "no replica available or the primary's share"
