"""Run a piece of a page that needs one database, and survive that database being down."""

import logging
from dataclasses import dataclass
from typing import Any, Callable

from django.db import DatabaseError

logger = logging.getLogger("multidb.guarded")


@dataclass
class Section:
    """The outcome of one guarded piece of work: a value, or unavailable."""

    value: Any = None
    available: bool = True
    error: str = ""


def guarded(compute: Callable[[], Any], *, name: str) -> Section:
    """Call ``compute``; a DatabaseError turns into an unavailable Section, logged once."""
    try:
        return Section(value=compute())
    except DatabaseError as exc:
        logger.warning("%s unavailable: %s", name, exc)
        return Section(available=False, error=type(exc).__name__)
