"""The container's health check: GET /health/ on this container, as one of its allowed hosts.

Run as ``python -m config.healthcheck`` (the Dockerfile's HEALTHCHECK). Exits 0
on a 2xx answer, 1 otherwise. The Host header is the first entry of
DJANGO_ALLOWED_HOSTS, so Django's host validation accepts the request without
127.0.0.1 being an allowed host in production; /health/ is exempt from the
HTTPS redirect (config/settings/production.py).

/health/ may wait DB_CONNECT_TIMEOUT seconds on a database that is down, and
answers (503 or 200) after that: the probe waits a few seconds longer than
that, and the image's HEALTHCHECK --timeout longer still (tests/deploy checks
the order), so a slow answer is an answer, not a failed probe.
"""

import os
import sys
import urllib.error
import urllib.request

# Seconds the probe waits beyond DB_CONNECT_TIMEOUT for /health/ to answer.
MARGIN = 3


def probe_timeout(environ=os.environ) -> float:
    """How long to wait for /health/: DB_CONNECT_TIMEOUT (default 5) plus MARGIN."""
    return float(environ.get("DB_CONNECT_TIMEOUT") or 5) + MARGIN


def main() -> int:
    hosts = [host.strip().lstrip(".") for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    hosts = [host for host in hosts if host and host != "*"]
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/"
    request = urllib.request.Request(url, headers={"Host": hosts[0]} if hosts else {})
    try:
        with urllib.request.urlopen(request, timeout=probe_timeout()):
            return 0
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
