"""Clients that load the site over HTTP for a while and count what went wrong.

Real requests through a real server (pytest-django's live_server): each one
runs Django's request signals, so pooled connections go back to their pool
between requests exactly as in production.
"""

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SiteClient:
    """One browser: its own cookies, no redirects followed."""

    def __init__(self, base_url: str, cookies: dict | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location header)."""
        body = urlencode(data) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, text, response.headers.get("Location", "")
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, str]:
        status, text, _ = self.request("GET", path)
        return status, text

    def csrf_token(self, form_path: str) -> str:
        status, text = self.get(form_path)
        assert status == 200, f"GET {form_path}: {status}"
        return CSRF_INPUT.search(text)[1]


@dataclass
class Tally:
    """What a stream of requests met, each outcome with its monotonic time."""

    ok: list = field(default_factory=list)
    unavailable: list = field(default_factory=list)  # 503: the friendly page
    errors: list = field(default_factory=list)  # anything else: never acceptable
    acknowledged: list = field(default_factory=list)  # (time, title) of writes answered 302
    stale: list = field(default_factory=list)  # a writer's own post missing right after it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)

    def failed_per_client(self) -> dict:
        counts: dict = {}
        for _, client in self.unavailable:
            counts[client] = counts.get(client, 0) + 1
        return counts


# After a failed request a client waits a little before the next one, as a
# person or a retrying client would; without it, failures count a busy loop.
FAILURE_PAUSE = 0.2


def read_pages(client: SiteClient, name: str, paths: list[str], tally: Tally, stop: threading.Event) -> None:
    """Load pages in turn until stopped."""
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        try:
            status, _ = client.get(path)
        except OSError as exc:
            tally.record("errors", (time.monotonic(), name, f"{path}: {exc}"))
            time.sleep(FAILURE_PAUSE)
            continue
        if status == 200:
            tally.record("ok", (time.monotonic(), name))
            continue
        if status == 503:
            tally.record("unavailable", (time.monotonic(), name))
        else:
            tally.record("errors", (time.monotonic(), name, f"{path}: {status}"))
        time.sleep(FAILURE_PAUSE)


def write_posts(client: SiteClient, name: str, tally: Tally, stop: threading.Event, pause: float = 0.05) -> None:
    """Publish posts until stopped; after each one, read it back at once (read-your-writes)."""
    token = client.csrf_token("/blog/new/")
    n = 0
    failed = False
    while not stop.is_set():
        time.sleep(FAILURE_PAUSE if failed else pause)
        failed = True
        title = f"{name} post {n}"
        n += 1
        data = {"title": title, "body": "Written during a failover.", "publish": "on", "csrfmiddlewaretoken": token}
        try:
            status, _, location = client.request("POST", "/blog/new/", data)
        except OSError as exc:
            tally.record("errors", (time.monotonic(), name, f"POST: {exc}"))
            continue
        if status == 503:
            tally.record("unavailable", (time.monotonic(), name))
            continue
        if status != 302:
            tally.record("errors", (time.monotonic(), name, f"POST: {status}"))
            continue
        tally.record("acknowledged", (time.monotonic(), title))
        try:
            status, text = client.get(location)
        except OSError as exc:
            tally.record("errors", (time.monotonic(), name, f"GET: {exc}"))
            continue
        if status == 200 and title not in text or status == 404:
            tally.record("stale", (time.monotonic(), title))
        elif status == 503:
            tally.record("unavailable", (time.monotonic(), name))
        else:
            failed = False
