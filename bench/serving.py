"""The site under load from gunicorn: worker recycling, and a locked analytics table.

Starts gunicorn with config/gunicorn.conf.py on a spare port, loads it with
client threads (keep-alive HTTP) and reports requests per second and
latency percentiles, side by side in one run, alternating variants:

  recycling   the shipped settings against the previous max_requests=1000
              (jitter 100) and against max_requests=50, the restart rate 1000
              had on a host about twenty times faster; the same load on
              /blog/ and post pages
  lock        post pages (each records a page view on analytics) and /blog/
              at once, with analytics_event free and then locked by another
              session for the whole phase (LOCK TABLE ... ACCESS EXCLUSIVE)

Needs the real topology (the lock is a PostgreSQL one):

    scripts/devdb up; set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/serving.py --port 56173 --seconds 15 --rounds 3
"""

import argparse
import http.client
import os
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
# The previous setting, and the restart rate it had at the throughput of a faster host (about
# 1000 requests per worker every 6-7 s): on a slow host 1000 requests may never come in a phase.
RECYCLING = {
    "shipped": [],
    "max_requests=1000": ["--max-requests", "1000", "--max-requests-jitter", "100"],
    "max_requests=50": ["--max-requests", "50", "--max-requests-jitter", "5"],
}


@contextmanager
def server(port: int, extra: list[str], workers: int, threads: int):
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_LOG_LEVEL": "warning",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    process = subprocess.Popen(
        [*GUNICORN, "--access-logfile", "/dev/null", *extra], cwd=BASE_DIR, env=env, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "/blog/")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start within 30 s")


def _get(connection, path: str) -> int:
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


def load(port: int, paths_per_client: list[list[str]], seconds: float) -> list[dict]:
    """Each client loops over its paths for ``seconds``; per client: requests, errors, latencies."""
    results = [{"ok": 0, "errors": 0, "latencies": []} for _ in paths_per_client]
    stop_at = time.monotonic() + seconds

    def client(index: int, paths: list[str]) -> None:
        result = results[index]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                status = _get(connection, paths[n % len(paths)])
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            result["latencies"].append(time.monotonic() - started)
            result["ok" if status == 200 else "errors"] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(i, paths)) for i, paths in enumerate(paths_per_client)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results: list[dict], seconds: float) -> dict:
    latencies = sorted(latency for result in results for latency in result["latencies"])
    ok = sum(result["ok"] for result in results)
    return {
        "rps": ok / seconds,
        "errors": sum(result["errors"] for result in results),
        "p50": _percentile(latencies, 50) * 1000,
        "p99": _percentile(latencies, 99) * 1000,
        "max": (latencies[-1] if latencies else 0) * 1000,
    }


def _percentile(values: list[float], p: float) -> float:
    return values[min(int(len(values) * p / 100), len(values) - 1)] if values else 0.0


@contextmanager
def analytics_locked():
    config = dj_database_url.parse(os.environ["DEVDB_PG_ADMIN_URL"])
    name = dj_database_url.parse(os.environ["ANALYTICS_DATABASE_URL"])["NAME"]
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"], user=config["USER"], password=config["PASSWORD"], dbname=name
    ) as admin:
        admin.execute("LOCK TABLE analytics_event IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            admin.rollback()


def post_paths(port: int) -> list[str]:
    """The first page of post links in /blog/."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/blog/")
    html = connection.getresponse().read().decode()
    paths = sorted({part.split('"')[0] for part in html.split('href="/blog/')[1:]} - {"new/", ""})
    return [f"/blog/{path}" for path in paths if path.endswith("/") and "?" not in path][:8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if "DEVDB_PG_ADMIN_URL" not in os.environ:
        sys.exit("bench/serving.py needs the real topology: see its docstring.")
    subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=BASE_DIR, check=True, capture_output=True)

    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads; {args.clients} clients; "
        f"{args.seconds:.0f} s per phase, {args.rounds} rounds, variants alternating\n"
    )
    recycling = {name: [] for name in RECYCLING}
    locked = {"free": [], "locked": []}
    for _ in range(args.rounds):
        for name, extra in RECYCLING.items():
            with server(args.port, extra, args.workers, args.threads):
                posts = post_paths(args.port)
                mixed = [["/blog/", *posts] for _ in range(args.clients)]
                recycling[name].append(summary(load(args.port, mixed, args.seconds), args.seconds))
        with server(args.port, [], args.workers, args.threads):
            posts = post_paths(args.port)
            clients = [posts] * (args.clients - 2) + [["/blog/"]] * 2
            for name in ("free", "locked"):
                if name == "locked":
                    with analytics_locked():
                        results = load(args.port, clients, args.seconds)
                else:
                    results = load(args.port, clients, args.seconds)
                split = args.clients - 2
                locked[name].append(
                    {"posts": summary(results[:split], args.seconds), "blog": summary(results[split:], args.seconds)}
                )

    print("worker recycling (/blog/ and post pages, all clients)")
    print(f"{'variant':20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for name, runs in recycling.items():
        print(f"{name:20} {_row(runs)}")
    for name in list(RECYCLING)[1:]:
        ratio = _median(recycling["shipped"], "rps") / _median(recycling[name], "rps")
        print(f"shipped / {name} throughput: {ratio:.2f}x")
    print()

    print("analytics_event locked by another session for the whole phase")
    print(f"{'phase / pages':20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for name, runs in locked.items():
        for pages in ("posts", "blog"):
            print(f"{name + ' / ' + pages:20} {_row([run[pages] for run in runs])}")
    blog_ratio = _median([r["blog"] for r in locked["locked"]], "rps") / _median(
        [r["blog"] for r in locked["free"]], "rps"
    )
    print(f"/blog/ throughput, locked / free: {blog_ratio:.2f}x")


def _median(runs, key):
    return statistics.median(run[key] for run in runs)


def _row(runs) -> str:
    return (
        f"{_median(runs, 'rps'):8.1f} {_median(runs, 'p50'):8.1f} {_median(runs, 'p99'):8.1f} "
        f"{_median(runs, 'max'):8.1f} {sum(run['errors'] for run in runs):7d}"
    )


if __name__ == "__main__":
    main()
