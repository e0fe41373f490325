"""``for_each_shard``: one piece of work on every shard at once, surviving any shard being down.

Each shard's call is a page section (manydb.ops.sections): it runs on the
process's section workers under the section budget, enforced by the
database, and a shard that fails or runs out of time is reported as such
while the others answer. Merging is the caller's choice: the totals of the
shards that answered, with the ones that did not named beside them.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from manydb.ops.sections import Section, guarded_all
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


def for_each_shard(model, fn: Callable[[str], Any], *, budget_seconds: float | None = None) -> ShardResults:
    """Call ``fn(alias)`` for every shard of ``model`` at once; never fails because one shard does.

    Inside each call ``model``'s queries go to that shard (a ``shard_for``
    block), so ``fn`` may use ``Model.objects`` directly. Each call has the
    section budget (``budget_seconds``, default MANYDB["SECTIONS"]["BUDGET_SECONDS"]).
    """

    def on(alias: str):
        def compute():
            with shard_for(model, shard=alias):
                return fn(alias)

        return compute

    shards = shards_of_model(model)
    sections = guarded_all({alias: on(alias) for alias in shards}, budget=budget_seconds)
    return ShardResults({alias: sections[alias] for alias in shards})


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
