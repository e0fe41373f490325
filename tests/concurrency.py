"""Run the same request from several threads at once, each with its own connections."""

import threading

from django.db import connections
from django.test import Client


class ConcurrentRequests(list):
    """The status codes, in order; ``errors`` holds what each 500 raised."""

    errors: list[str]


def post_at_once(path: str, forms: list[dict], *, login=None) -> ConcurrentRequests:
    """POST each form from its own thread, released together; the status codes, in order.

    A request that raises (an IntegrityError turned 500) is reported as 500,
    with the exception in ``.errors``: the test client would otherwise
    re-raise it in the worker thread, where no test sees it.
    """
    barrier = threading.Barrier(len(forms))
    statuses = ConcurrentRequests([0] * len(forms))
    statuses.errors = []

    def worker(n: int, form: dict) -> None:
        client = Client()
        try:
            if login is not None:
                client.force_login(login)
                # Back to the pool: a thread waiting at the barrier must not hold
                # one of the few pooled connections (DB_POOL_MAX_SIZE) the others need.
                connections.close_all()
            barrier.wait(timeout=30)
            statuses[n] = client.post(path, form).status_code
        except Exception as exc:
            statuses[n] = 500
            statuses.errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n, form)) for n, form in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses
