"""Failover: promotion to first successful write, and failed requests, under 8 clients.

Compares, in one run, on the same servers and alternating over rounds:
  - multi-host URLs (both servers, target_session_attrs=read-write; the
    replica URL prefer-standby): the site follows the promotion by itself;
  - single-host URLs "restarted by hand": the best an operator can do,
    restarting the site with URLs naming the new primary the moment the
    promotion returns.

Each round runs the site under gunicorn (2 workers x 8 threads), starts the
clients (each publishes a post and reads it back, again and again), then
`scripts/devdb promote`; it measures the time from the promotion to the
first acknowledged write, counts failed requests per client (503 pages and
refused connections) and checks every acknowledged write on the new
primary. Then `rejoin`, and promote + rejoin once more to restore the
original roles for the next round.

Targets: first write within 2 s of the promotion, at most one failed request
per client, zero lost acknowledged writes.

    scripts/devdb up
    set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/failover.py --rounds 3
"""

import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import dj_database_url
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from apps.blog.models import Post  # noqa: E402
from apps.users.models import User  # noqa: E402
from tests.real.conftest import restore_original_roles  # noqa: E402  (the suite's devdb moves)
from tests.real.traffic import SiteClient, Tally, write_posts  # noqa: E402  (the suite's HTTP clients)

DEVDB = str(BASE_DIR / "scripts" / "devdb")
URL_VARIABLES = ["DATABASE_URL", "USERS_DATABASE_URL", "ANALYTICS_DATABASE_URL", "CACHE_DATABASE_URL"]
TITLE_PREFIX = "bench-failover"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="per variant")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    args = parser.parse_args()
    if "DEVDB_PG_ADMIN_URL" not in os.environ:
        sys.exit("bench/failover.py needs the real topology: see its docstring.")
    restore_original_roles()  # an interrupted run may have left them swapped
    call_command("migrate_all", verbosity=0)
    sessions = [_session(f"{TITLE_PREFIX}-{n}") for n in range(args.clients)]

    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(f"{args.clients} clients, {args.rounds} rounds per variant, alternating\n")
    results = {"multi-host URL": [], "single-host, restarted": []}
    for n in range(args.rounds):
        for variant in results:
            result = run_round(variant, sessions, args)
            results[variant].append(result)
            print(
                f"round {n + 1} {variant:<24} first write {result['first_write']:>5.2f} s  "
                f"failed {result['failed']:>3} (max {result['max_per_client']}/client)  "
                f"acknowledged {result['acknowledged']:>4}  lost {result['lost']}  stale {result['stale']}"
            )

    print(f"\n{'variant':<26}{'first write (median)':>22}{'failed/client (max)':>21}{'lost':>6}{'stale':>7}")
    for variant, rounds in results.items():
        median = statistics.median(r["first_write"] for r in rounds)
        worst = max(r["max_per_client"] for r in rounds)
        lost, stale = sum(r["lost"] for r in rounds), sum(r["stale"] for r in rounds)
        print(f"{variant:<26}{median:>20.2f} s{worst:>21}{lost:>6}{stale:>7}")
    multi, single = results["multi-host URL"], results["single-host, restarted"]
    ratio = statistics.median(r["first_write"] for r in single) / statistics.median(r["first_write"] for r in multi)
    print(f"\nfirst write, single-host restarted / multi-host: {ratio:.1f}x")
    met = (
        max(r["first_write"] for r in multi) <= 2.0
        and max(r["max_per_client"] for r in multi) <= 1
        and sum(r["lost"] for r in multi) == 0
    )
    verdict = "met" if met else "NOT met"
    print(f"targets (multi-host: first write <= 2 s, <= 1 failed request per client, 0 lost): {verdict}")
    restore_original_roles()
    # This process's own connections went down with the first promotion.
    for connection in connections.all():
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
    Post.objects.filter(title__startswith=TITLE_PREFIX).delete()


def run_round(variant: str, sessions: list[str], args) -> dict:
    restore_original_roles()
    first, second = _port("DEVDB_PG_ADMIN_URL"), _port("DEVDB_REPLICA_ADMIN_URL")
    multi = variant.startswith("multi")
    site = start_site(site_env(first, second if multi else None), args.port)
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=write_posts,
            args=(SiteClient(f"http://127.0.0.1:{args.port}", {"sessionid": key}), f"{TITLE_PREFIX}-{n}", tally, stop),
        )
        for n, key in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(tally.acknowledged) < 2 * args.clients and time.monotonic() < deadline:
            time.sleep(0.1)
        devdb("promote")
        promoted_at = time.monotonic()
        if not multi:  # the operator: new URLs, restart
            stop_site(site)
            site = start_site(site_env(second, None), args.port)
        while time.monotonic() < promoted_at + 30 and not any(t > promoted_at for t, _ in tally.acknowledged):
            time.sleep(0.05)
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        stop_site(site)
    first_write = min((t for t, _ in tally.acknowledged if t > promoted_at), default=float("inf")) - promoted_at
    failures: dict[str, int] = {}
    for _, name, *_ in [*tally.unavailable, *tally.errors]:
        failures[name] = failures.get(name, 0) + 1
    titles = [title for _, title in tally.acknowledged]
    with _admin("DEVDB_REPLICA_ADMIN_URL", "site_default") as new_primary:
        kept = {row[0] for row in new_primary.execute("SELECT title FROM blog_post WHERE title = ANY(%s)", [titles])}
    return {
        "first_write": first_write,
        "failed": sum(failures.values()),
        "max_per_client": max(failures.values(), default=0),
        "acknowledged": len(titles),
        "lost": len(set(titles) - kept),
        "stale": len(tally.stale),
    }


def site_env(port: int, other_port: int | None) -> dict:
    """The environment's URLs pointed at ``port`` (and ``other_port`` too, as a multi-host URL)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    for variable in URL_VARIABLES:
        env[variable] = _url(os.environ[variable], port, other_port, "read-write")
    env["REPLICA_DATABASE_URL"] = (
        _url(os.environ["REPLICA_DATABASE_URL"], other_port, port, "prefer-standby")
        if other_port
        else _url(os.environ["REPLICA_DATABASE_URL"], port, None, None)
    )
    return env


def _url(url: str, port: int, other_port: int | None, attrs: str | None) -> str:
    config = dj_database_url.parse(url)
    hosts = f"{config['HOST']}:{port}" + (f",{config['HOST']}:{other_port}" if other_port else "")
    query = f"?target_session_attrs={attrs}" if other_port else ""
    return f"postgres://{config['USER']}:{config['PASSWORD']}@{hosts}/{config['NAME']}{query}"


def start_site(env: dict, port: int) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--threads", "8", "--log-level", "warning", "config.wsgi:application",
    ]  # fmt: skip
    site = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if SiteClient(f"http://127.0.0.1:{port}").get("/blog/")[0] == 200:
                return site
        except OSError:
            pass
        time.sleep(0.05)
    site.kill()
    sys.exit("the site did not start within 30 s")


def stop_site(site: subprocess.Popen) -> None:
    if site.poll() is None:
        site.send_signal(signal.SIGTERM)
        site.wait(timeout=30)


def devdb(*args: str) -> None:
    subprocess.run([DEVDB, *args], check=True, capture_output=True, timeout=120)


def _port(variable: str) -> int:
    return int(dj_database_url.parse(os.environ[variable])["PORT"])


def _admin(variable: str, dbname: str, **kwargs) -> psycopg.Connection:
    config = dj_database_url.parse(os.environ[variable])
    return psycopg.connect(
        host=config["HOST"], port=config["PORT"], user=config["USER"], password=config["PASSWORD"],
        dbname=dbname, autocommit=True, **kwargs,
    )  # fmt: skip


def _session(username: str) -> str:
    user, _ = User.objects.get_or_create(username=username)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


if __name__ == "__main__":
    main()
