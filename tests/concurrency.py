"""Run the same request from several threads at once, each with its own connections."""

import threading

from django.db import connections
from django.test import Client


def post_at_once(path: str, forms: list[dict], *, login=None) -> list[int]:
    """POST each form from its own thread, released together; the status codes, in order.

    A request that raises (an IntegrityError turned 500) is reported as 500:
    the test client would otherwise re-raise it in the worker thread.
    """
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def worker(n: int, form: dict) -> None:
        client = Client()
        try:
            if login is not None:
                client.force_login(login)
            barrier.wait(timeout=30)
            statuses[n] = client.post(path, form).status_code
        except Exception:
            statuses[n] = 500
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n, form)) for n, form in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses
