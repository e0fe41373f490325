"""The container's health check: GET /health/ on this container, as one of its allowed hosts.

Run as ``python -m config.healthcheck`` (the Dockerfile's HEALTHCHECK). Exits 0
on a 2xx answer, 1 otherwise. The Host header is the first entry of
DJANGO_ALLOWED_HOSTS, so Django's host validation accepts the request without
127.0.0.1 being an allowed host in production; /health/ is exempt from the
HTTPS redirect (config/settings/production.py).
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    hosts = [host.strip().lstrip(".") for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    hosts = [host for host in hosts if host and host != "*"]
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/"
    request = urllib.request.Request(url, headers={"Host": hosts[0]} if hosts else {})
    try:
        with urllib.request.urlopen(request, timeout=4):
            return 0
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
