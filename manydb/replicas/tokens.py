"""Read-your-writes tokens: a signed note of where a client's last write landed.

A token maps each primary the client wrote to onto either the primary's log
position after the write and the timeline it was on (``["lsn", 123456, 1]``)
or, on engines without one, the time of the write (``["time", 1732200000.0]``).

Timelines: a promotion starts a new timeline that continues the log from
where the promoted standby had replayed, so positions still only grow. A
mark from an older timeline is compared by position, which is conservative:
any write the new primary kept lies before its switch point. A replica still
on a timeline older than the mark's (one that has not followed the
promotion) does not know the write's history and never serves the client. It is signed with the
project's SECRET_KEY and a salt of its own, and carries its issue time, so
a tampered, foreign or expired token is simply ignored: the worst a bad
token can do is nothing.
"""

import logging
import time

from django.core import signing

logger = logging.getLogger("manydb.replicas.tokens")

SALT = "manydb.read-your-writes"
LSN = "lsn"
TIME = "time"

Marks = dict[str, tuple]  # primary alias -> (kind, value) or ("lsn", position, timeline)


def token_dumps(marks: Marks) -> str:
    return signing.dumps({alias: list(mark) for alias, mark in marks.items()}, salt=SALT, compress=True)


def token_loads(token: str | None, *, max_age: float) -> Marks:
    """The marks in a valid token; an empty dict for anything else."""
    if not token:
        return {}
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        logger.debug("ignoring read-your-writes token: %s", exc)
        return {}
    marks = {}
    if isinstance(payload, dict):
        for alias, mark in payload.items():
            if (
                isinstance(alias, str)
                and isinstance(mark, list)
                and len(mark) in (2, 3)
                and mark[0] in (LSN, TIME)
                and all(isinstance(value, (int, float)) for value in mark[1:])
            ):
                marks[alias] = tuple(mark)
    return marks


def merge(old: Marks, new: Marks) -> Marks:
    """Keep the later mark per primary, so a new write never weakens an old one."""
    merged = dict(old)
    for alias, mark in new.items():
        if alias not in merged or merged[alias][0] != mark[0] or _order(merged[alias]) < _order(mark):
            merged[alias] = mark
    return merged


def timeline_of(mark: tuple) -> int | None:
    """The timeline of an LSN mark; None for time marks and tokens issued without one."""
    return int(mark[2]) if len(mark) > 2 else None


def _order(mark: tuple) -> tuple:
    return (timeline_of(mark) or 0, mark[1])


def time_mark() -> tuple[str, float]:
    return (TIME, time.time())
