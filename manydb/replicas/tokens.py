"""Read-your-writes tokens: a signed note of where a client's last write landed.

A token maps each primary the client wrote to onto either the primary's log
position after the write (``["lsn", 123456]``) or, on engines without one,
the time of the write (``["time", 1732200000.0]``). It is signed with the
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

Marks = dict[str, tuple[str, float]]  # primary alias -> (kind, value)


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
                and len(mark) == 2
                and mark[0] in (LSN, TIME)
                and isinstance(mark[1], (int, float))
            ):
                marks[alias] = (mark[0], mark[1])
    return marks


def merge(old: Marks, new: Marks) -> Marks:
    """Keep the later mark per primary, so a new write never weakens an old one."""
    merged = dict(old)
    for alias, (kind, value) in new.items():
        if alias not in merged or merged[alias][0] != kind or merged[alias][1] < value:
            merged[alias] = (kind, value)
    return merged


def time_mark() -> tuple[str, float]:
    return (TIME, time.time())
