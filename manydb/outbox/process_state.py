"""What one process remembers between deliveries: targets that are failing, and the last sweep."""

import threading
import time

from manydb.topology.routing_map import routing_map


class ProcessState:
    """Shared by every thread of a process; each read and change holds the lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._failing_until: dict[str, float] = {}
            self._last_sweep = time.monotonic()

    def target_up(self, topic: str) -> bool:
        with self._lock:
            return time.monotonic() >= self._failing_until.get(topic, 0.0)

    def target_failed(self, topic: str) -> None:
        with self._lock:
            self._failing_until[topic] = time.monotonic() + routing_map().outbox.retry_seconds

    def sweep_due(self) -> bool:
        """True at most once per SWEEP_SECONDS, for the caller that should sweep."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_sweep < routing_map().outbox.sweep_seconds:
                return False
            self._last_sweep = now
            return True


process_state = ProcessState()
