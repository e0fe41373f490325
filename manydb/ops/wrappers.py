"""Execute wrappers put on several connections for a block, and taken off exactly.

Django's ``connection.execute_wrapper()`` takes off the *last* wrapper when
the block ends. A connection opened inside the block gets the core's own
wrappers from its ``connection_created`` receivers (the write pause, the
primary watch...), appended after the block's: Django would then take one of
those off and leave the block's wrapper on the connection for good, one more
on every page. This removes the very object it added.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def wrapping(wrapper, aliases: Iterable[str] | None = None) -> Iterator[None]:
    """Run ``wrapper`` around every query this thread sends to ``aliases`` (default: all) in the block."""
    installed = [connections[alias] for alias in (connections if aliases is None else aliases)]
    for connection in installed:
        connection.execute_wrappers.append(wrapper)
    try:
        yield
    finally:
        for connection in installed:
            wrappers = connection.execute_wrappers
            for index in range(len(wrappers) - 1, -1, -1):
                if wrappers[index] is wrapper:
                    del wrappers[index]
                    break
