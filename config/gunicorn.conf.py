"""Gunicorn settings for the container (and any other production host).

Used as `gunicorn -c config/gunicorn.conf.py config.wsgi:application` (the
image's CMD). Gunicorn executes this file as plain Python and reads the
module-level names below as its settings; anything it does not recognise is
ignored, so helpers are prefixed with an underscore.

Only the standard library is used here on purpose: this file is loaded by the
gunicorn master before the Django project is importable, and must not depend
on settings (which read the environment through config/env.py).

Knobs, all optional (docker-compose.yml sets them for the local stack):
    PORT              port to listen on (default 8000)
    GUNICORN_BIND     address:port to listen on, overriding the choice below
    WEB_CONCURRENCY   worker processes (default: from the CPU count, capped)
    GUNICORN_THREADS  threads per worker (default 4)
    GUNICORN_TIMEOUT  seconds a request may take before its worker is killed
    GUNICORN_LOG_LEVEL  gunicorn's own log level (default info)
    DJANGO_TRUSTED_PROXIES  the proxies whose X-Forwarded-* headers count,
                      for gunicorn (forwarded_allow_ips) as for Django
                      (config.security.proxy); default 127.0.0.1,::1
"""

import os


def _int_from_env(name: str, default: int, *, minimum: int = 1) -> int:
    """An integer setting from the environment, failing loudly on nonsense.

    A typo such as WEB_CONCURRENCY=two should stop the server at start-up with
    a clear message, not fall back silently to some other number.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}")
    return value


def _usable_cpus() -> int:
    # sched_getaffinity honours a container's cpuset (docker run --cpuset-cpus),
    # which os.cpu_count() does not. Neither sees a CPU *quota* (--cpus=1.5),
    # which is why containers should set WEB_CONCURRENCY explicitly.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS
        return os.cpu_count() or 1


def _in_container() -> bool:
    # Docker creates /.dockerenv, Podman /run/.containerenv; Kubernetes sets
    # KUBERNETES_SERVICE_HOST in every pod.
    return (
        os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv") or "KUBERNETES_SERVICE_HOST" in os.environ
    )


# --- Where to listen -----------------------------------------------------------
# In a container, all interfaces: the port is reached through the container's
# network, never through its own loopback. Anywhere else, loopback only: the
# server is meant to sit behind a proxy on the same host, and must not answer
# the network directly (where forwarded headers and plain HTTP would reach
# it). GUNICORN_BIND says otherwise explicitly. PORT is the common convention
# of platforms that assign the port (Heroku, Cloud Run, ...).
_port = _int_from_env("PORT", 8000)
bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{_port}" if _in_container() else f"127.0.0.1:{_port}")

# --- Which proxies to believe ------------------------------------------------
# Gunicorn sets the request's scheme from X-Forwarded-Proto only when the peer
# is listed here: the same list the Django settings trust (one variable).
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1")

# --- How many requests at once -------------------------------------------------
# Processes x threads = requests served concurrently. (Gunicorn itself also
# takes WEB_CONCURRENCY as its default; reading it here adds the fallback.)
# The classic 2 x CPUs + 1 rule of thumb is for sync workers; with threads it
# errs on the generous side, and it is capped because every worker keeps its
# own database pools: workers x DB_POOL_MAX_SIZE connections per database must
# stay well under PostgreSQL's max_connections (100 by default), with room for
# migrations, the replica and humans with psql.
workers = _int_from_env("WEB_CONCURRENCY", min(2 * _usable_cpus() + 1, 8))

# More than one thread switches gunicorn to its gthread worker. Django views
# here mostly wait on databases, so threads add concurrency cheaply. Each busy
# thread holds one connection from its worker's pool, so DB_POOL_MAX_SIZE
# should be at least this number (requests otherwise queue for a connection).
threads = _int_from_env("GUNICORN_THREADS", 4)

# --- Timeouts ------------------------------------------------------------------
# A worker silent for this long is killed and replaced: a safety net against
# requests hung on a dead database connection, not a request budget. Keep it
# above DB_CONNECT_TIMEOUT so a database outage surfaces as Django's error
# (and /health/ answers 503) rather than as killed workers.
timeout = _int_from_env("GUNICORN_TIMEOUT", 30)
# On SIGTERM (docker stop, a deploy), let in-flight requests finish for this
# long. Docker's own stop timeout is 10 s by default; raise that
# (stop_grace_period) to give requests the full time.
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open. Behind a load balancer,
# a value above the balancer's idle timeout avoids the race in which gunicorn
# closes a connection the balancer is just reusing (502s).
keepalive = 5

# --- Recycling -----------------------------------------------------------------
# Restart each worker after about this many requests, so a slow memory leak
# (ours or a library's) cannot grow forever. A restart is not free: the new
# worker imports Django, opens its pools and starts its section threads, and
# serves nothing meanwhile. At 1000 (+-100) requests the workers restarted
# every few seconds under load, often together, and the site served about a
# third fewer requests than without recycling (bench/serving.py,
# docs/performance.md). Fifty times rarer, with a jitter of a fifth, keeps the
# leak guard, and two workers hardly ever restart in the same minute.
max_requests = 50_000
max_requests_jitter = 10_000

# --- Process model -------------------------------------------------------------
# Import the app in each worker, after the fork (the default, spelled out).
# Preloading in the master saves memory, but anything opened at import time
# (a database pool, a socket) would then be shared by every forked worker,
# which corrupts connections. Keeping imports per worker makes that
# impossible, at the cost of a few MB per worker.
preload_app = False

# Workers touch a heartbeat file every few seconds. The default temp dir can
# sit on Docker's overlay filesystem, where that write can block for seconds
# and get healthy workers killed; /dev/shm is memory-backed in every
# container.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# --- Logging -------------------------------------------------------------------
# Both logs to stdout/stderr ("-"): in a container the platform collects the
# streams (docker compose logs), and files inside the container would be lost
# with it and could fill its disk.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The default format plus the time each request took (%(M)s, milliseconds),
# the one number you want when a page is slow.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
