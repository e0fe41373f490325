"""``for_each_shard``: one piece of work on every shard at once, surviving any shard being down.

Each shard's call is a page section (manydb.ops.sections): it runs on the
process's section workers under the section budget, enforced by the
database, and a shard that fails or runs out of time is reported as such
while the others answer. Merging is the caller's choice: the totals of the
shards that answered, with the ones that did not named beside them.
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from manydb.ops import section_pool
from manydb.ops.sections import Section, guarded_all, guarded_sequence
from manydb.sharding.context import shard_for
from manydb.sharding.registry import shards_of_model

OK = "ok"
UNAVAILABLE = "unavailable"
TIMED_OUT = "timed out"


@dataclass
class ShardResults:
    """Each shard's Section, in shard order, and ways to merge the values of those that answered."""

    sections: dict[str, Section] = field(default_factory=dict)

    def __getitem__(self, alias: str) -> Section:
        return self.sections[alias]

    def __iter__(self):
        return iter(self.sections)

    def state(self, alias: str) -> str:
        """ "ok", "unavailable" or "timed out"."""
        section = self.sections[alias]
        if section.available:
            return OK
        return TIMED_OUT if section.timed_out else UNAVAILABLE

    @property
    def values(self) -> dict[str, Any]:
        """alias -> value, for the shards that answered."""
        return {alias: section.value for alias, section in self.sections.items() if section.available}

    @property
    def missing(self) -> list[str]:
        """The shards that did not answer (unavailable or timed out)."""
        return [alias for alias, section in self.sections.items() if not section.available]

    @property
    def complete(self) -> bool:
        return not self.missing

    def merge(self, combine: Callable[[Any, Any], Any] | None = None, initial: Any = None) -> Any:
        """The answered values folded into one: by ``combine``, else summed (numbers, and
        dicts key by key, nested), concatenated (lists) or united (sets)."""
        combine = combine or merge_values
        result = initial
        for value in self.values.values():
            result = value if result is None else combine(result, value)
        return result

    def as_section(self, combine: Callable[[Any, Any], Any] | None = None, *, name: str = "") -> Section:
        """One Section for a page: the merged value while any shard answered (``missing``
        names the others), else unavailable (timed out when every shard timed out)."""
        sections = list(self.sections.values())
        merged = Section(
            name=name,
            databases=tuple(dict.fromkeys(alias for section in sections for alias in section.databases)),
            elapsed_ms=max((section.elapsed_ms or 0 for section in sections), default=None),
        )
        if not self.values:
            merged.available = False
            merged.timed_out = bool(sections) and all(section.timed_out for section in sections)
            merged.error = "timed out" if merged.timed_out else "unavailable"
        else:
            merged.value = self.merge(combine)
        merged.missing = {alias: self.state(alias) for alias in self.missing}
        merged.shards = {alias: self.state(alias) for alias in self.sections}
        return merged


def for_each_shard(model, fn: Callable[[str], Any], *, budget_seconds: float | None = None) -> ShardResults:
    """Call ``fn(alias)`` for every shard of ``model`` at once; never fails because one shard does.

    Inside each call ``model``'s queries go to that shard (a ``shard_for``
    block), so ``fn`` may use ``Model.objects`` directly. Each call has the
    section budget (``budget_seconds``, default MANYDB["SECTIONS"]["BUDGET_SECONDS"]).
    Called from a page section's worker, the shards are asked one after
    another in that worker: waiting there on the same workers could starve them.
    """
    tasks = shard_tasks(model, "", fn)
    if threading.current_thread().name.startswith(section_pool.THREAD_PREFIX):
        sections = guarded_sequence(tasks, budget=budget_seconds)
    else:
        sections = guarded_all(tasks, budget=budget_seconds)
    return shard_results(sections, model, "")


def shard_tasks(model, name: str, fn: Callable[[str], Any]) -> dict[str, Callable[[], Any]]:
    """Page-section tasks, one per shard of ``model``, named ``<name>@<alias>``: each calls
    ``fn(alias)`` with ``model``'s queries sent to that shard. Run them with the page's other
    sections (``guarded_all``), then read them back with ``shard_results``."""

    def on(alias: str):
        def compute():
            with shard_for(model, shard=alias):
                return fn(alias)

        return compute

    return {f"{name}@{alias}": on(alias) for alias in shards_of_model(model)}


def shard_results(sections: dict[str, Section], model, name: str) -> ShardResults:
    """The Sections of ``shard_tasks(model, name, ...)``, taken out of ``sections``."""
    return ShardResults({alias: sections.pop(f"{name}@{alias}") for alias in shards_of_model(model)})


def merge_values(left: Any, right: Any) -> Any:
    """Two shards' answers as one: numbers added, dicts merged key by key, lists joined, sets united."""
    if isinstance(left, dict) and isinstance(right, dict):
        merged = dict(left)
        for key, value in right.items():
            merged[key] = merge_values(merged[key], value) if key in merged else value
        return merged
    if isinstance(left, Counter | int | float) and isinstance(right, Counter | int | float):
        return left + right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return [*left, *right]
    if isinstance(left, set | frozenset) and isinstance(right, set | frozenset):
        return left | right
    raise TypeError(f"cannot merge {type(left).__name__} with {type(right).__name__}: pass combine=")
