"""Reading the next chunk while the previous one is written, and each side's checksum at once.

A server engine's driver waits on the network with Python's lock released,
so a second thread keeps the source busy while the first writes to the
target: the slower side sets the pace, not the sum of both. Each thread
opens connections of its own (Django's are per thread) and closes them when
it is done. At most ``depth`` chunks wait in between: memory stays flat.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from queue import Empty, Full, Queue

from django.db import connections

_END = object()


def can_prefetch(alias: str) -> bool:
    """Server engines configured in settings (a connection made at run time exists in one thread only)."""
    return alias in connections.settings and connections[alias].vendor in ("postgresql", "mysql")


def prefetched(chunks, *, depth: int = 2):
    """Iterate ``chunks()`` (a generator function) in a thread of its own, ``depth`` chunks ahead."""
    queue, stop = Queue(maxsize=depth), threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def read():
        try:
            for chunk in chunks():
                if not offer(chunk):
                    return
            offer(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=read, name="manydb-move-reader", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = queue.get(timeout=0.5)
            except Empty:
                if not thread.is_alive():
                    raise RuntimeError("the reading thread ended without a word") from None
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


@contextmanager
def side_by_side():
    """An executor with one thread for the other side's queries; its connections are closed at the end."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="manydb-move-verify")
    try:
        yield executor
    finally:
        executor.submit(connections.close_all).result()
        executor.shutdown()
