"""The health page's vocabulary: a check's outcome, and the thresholds it applies.

The thresholds are pghero's defaults, so a team that knows that tool reads
the page the same way. Each outcome that is not "ok" says what to do.
"""

from dataclasses import asdict, dataclass, field

OK = "ok"
PROBLEM = "problem"  # something to fix: the advice says what
UNAVAILABLE = "n/a"  # the engine has no such thing ("not available on this engine")
ERROR = "error"  # the check itself could not run (privileges, a server that went away)

NOT_ON_ENGINE = "not available on this engine"

# pghero's defaults
LONG_RUNNING_QUERY_SECONDS = 60
SLOW_QUERY_MS = 20  # mean time per call...
SLOW_QUERY_CALLS = 100  # ...over at least this many calls
CACHE_HIT_RATE = 0.99
CONNECTIONS_SHARE = 0.8  # of max_connections
TRANSACTION_ID_DANGER = 10_000_000  # transactions left before wraparound
SEQUENCE_SHARE = 0.9  # of the sequence's (or column's) maximum
REPLICATION_LAG_SECONDS = 60
BLOAT_SHARE = 0.2  # dead or free space, as a share of the table
BLOAT_MIN_BYTES = 10 * 1024 * 1024  # smaller tables are not worth the noise


@dataclass
class Check:
    name: str
    status: str
    summary: str = ""  # one line: the measurement
    advice: str = ""  # what to do, when the status is not ok
    rows: list[dict] = field(default_factory=list)  # the offending items, if any

    @property
    def failed(self) -> bool:
        return self.status == PROBLEM

    def as_dict(self) -> dict:
        return asdict(self)


def not_available(name: str) -> Check:
    return Check(name, UNAVAILABLE, NOT_ON_ENGINE)


def judged(name: str, rows: list[dict], *, ok: str, problem: str, advice: str) -> Check:
    """A check that fails when it found offending rows."""
    if rows:
        return Check(name, PROBLEM, problem.format(n=len(rows)), advice, rows)
    return Check(name, OK, ok)


def duplicate_indexes(indexes: list[dict]) -> list[dict]:
    """Indexes another index of the same table makes redundant (pghero's rule).

    ``indexes``: dicts with table, name, columns (a list), unique, and
    optionally method (btree, brin...: only the same kind covers). An index is
    redundant when another one on the table starts with the same columns; a
    unique index is only made redundant by a unique index on the same columns.
    """
    found = []
    for index in indexes:
        for other in indexes:
            if other is index or (other["table"], other.get("method")) != (index["table"], index.get("method")):
                continue
            columns, covering = index["columns"], other["columns"]
            if covering[: len(columns)] != columns or (covering == columns and other["name"] > index["name"]):
                continue
            if index["unique"] and not (other["unique"] and covering == columns):
                continue
            found.append({"table": index["table"], "index": index["name"], "covered_by": other["name"]})
            break
    return found


DROP_COVERED_INDEX = "Drop the covered index (in a migration): the covering one serves the same lookups."


def duplicate_indexes_check(indexes: list[dict], *, advice: str = DROP_COVERED_INDEX) -> Check:
    """The "Duplicate indexes" check over an engine's index list (see duplicate_indexes)."""
    return judged(
        "Duplicate indexes",
        duplicate_indexes(indexes),
        ok="no index is covered by another",
        problem="{n} index(es) covered by another index",
        advice=advice,
    )


def hit_rate_check(name: str, hit: int, read: int, memory: str) -> Check:
    if hit + read == 0:
        return Check(name, OK, "no reads yet")
    rate = hit / (hit + read)
    if rate >= CACHE_HIT_RATE:
        return Check(name, OK, f"{rate:.2%} of reads from memory")
    return Check(
        name,
        PROBLEM,
        f"{rate:.2%} of reads from memory (under {CACHE_HIT_RATE:.0%})",
        f"The working set does not fit in memory: raise {memory}, or look for queries reading whole tables.",
    )


def connections_check(used: int, maximum: int, fix: str) -> Check:
    name = "Connections"
    if used <= CONNECTIONS_SHARE * maximum:
        return Check(name, OK, f"{used} of {maximum}")
    return Check(
        name,
        PROBLEM,
        f"{used} of {maximum} (over {CONNECTIONS_SHARE:.0%})",
        f"New connections will soon be refused: raise the server's maximum or use {fix}.",
    )


def slow_queries_check(slow: list[dict]) -> Check:
    return judged(
        "Slow queries",
        slow,
        ok=f"none averaging {SLOW_QUERY_MS} ms or more over {SLOW_QUERY_CALLS}+ calls",
        problem=f"{{n}} query(ies) averaging {SLOW_QUERY_MS} ms or more over {SLOW_QUERY_CALLS}+ calls",
        advice="EXPLAIN (ANALYZE, BUFFERS) the query: a missing index, or a query that does too much.",
    )
