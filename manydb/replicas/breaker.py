"""The breaker: per-process memory of each replica (up, lagging or cooling down) and reads served.

Every request probes the replica it is about to use (see manydb.replicas.probe);
this registry remembers what the probes found so that other requests skip a
replica that just failed (for a cool-down) or lags too far (until a probe
finds it caught up), without each paying for the discovery.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass

UP = "up"
LAGGING = "lagging"
COOLING_DOWN = "cooling down"
UNKNOWN = "unknown"

# A lagging replica is probed again after this long, by whichever request
# comes first; until then everybody reads elsewhere.
LAGGING_RECHECK_SECONDS = 1.0


@dataclass
class ReplicaState:
    state: str = UNKNOWN
    lag_seconds: float | None = None
    replayed: int | None = None
    error: str = ""
    retry_after: float = 0.0  # monotonic time before which nobody should try it
    checked_at: float = 0.0  # wall-clock time of the last probe


class ReplicaHealth:
    def __init__(self):
        self._lock = threading.Lock()
        self._states: dict[str, ReplicaState] = {}
        self._served: Counter[str] = Counter()

    def available(self, alias: str) -> bool:
        """False while the replica cools down or is known to lag, until its retry time."""
        with self._lock:
            state = self._states.get(alias)
            return state is None or state.state in (UP, UNKNOWN) or time.monotonic() >= state.retry_after

    def record_probe(self, alias: str, *, lag_seconds: float, replayed: int | None, max_lag: float) -> bool:
        """Store a successful probe; True when the replica is within the lag limit."""
        lagging = lag_seconds > max_lag
        with self._lock:
            self._states[alias] = ReplicaState(
                state=LAGGING if lagging else UP,
                lag_seconds=lag_seconds,
                replayed=replayed,
                retry_after=time.monotonic() + LAGGING_RECHECK_SECONDS if lagging else 0.0,
                checked_at=time.time(),
            )
        return not lagging

    def record_failure(self, alias: str, *, error: str, cooldown: float) -> None:
        with self._lock:
            previous = self._states.get(alias, ReplicaState())
            self._states[alias] = ReplicaState(
                state=COOLING_DOWN,
                lag_seconds=previous.lag_seconds,
                replayed=previous.replayed,
                error=error,
                retry_after=time.monotonic() + cooldown,
                checked_at=time.time(),
            )

    def record_read(self, alias: str) -> None:
        """Count one unit of work (a request's reads of one primary's data) served by alias."""
        with self._lock:
            self._served[alias] += 1

    def snapshot(self, aliases: list[str]) -> list[dict]:
        """State, lag and share of reads for each alias (replicas and their primary)."""
        with self._lock:
            total = sum(self._served[alias] for alias in aliases)
            rows = []
            for alias in aliases:
                state = self._states.get(alias, ReplicaState())
                served = self._served[alias]
                rows.append(
                    {
                        "alias": alias,
                        "state": state.state,
                        "lag_seconds": None if state.lag_seconds is None else round(state.lag_seconds, 3),
                        "error": state.error,
                        "reads_served": served,
                        "read_share": round(served / total, 3) if total else None,
                    }
                )
            return rows

    def reset(self) -> None:
        with self._lock:
            self._states.clear()
            self._served.clear()


replica_health = ReplicaHealth()
