"""The dashboard's fan-out, side by side: shipped, sequential, the slowest section alone.

Each round runs every variant, in turn, on the same servers and data, and
reports medians over the rounds (milliseconds):

  shipped          dashboard_sections() as the view calls it: the sections at
                   once on the process's section workers, which keep their
                   connections (manydb.ops.section_pool)
  thread per call  the previous design: a new thread per section per page,
                   each opening and closing its own connections
  sequential       the same sections one after another in the request thread
  slowest alone    only the section that was slowest in the sequential runs
  whole request    GET /dashboard/ through the middleware and the template

Every unit of work is wrapped as a request is: a routing scope, then
close_old_connections() (pooled connections back to their pool, a replica's
persistent one kept, MySQL's closed).

    .venv/bin/python bench/dashboard.py                 # SQLite files under var/db
    set -a; . "$(scripts/devdb env)"; set +a            # or the real topology
    .venv/bin/python bench/dashboard.py --rounds 15

Target (docs/performance.md): shipped <= 1.3 x slowest alone, and never above sequential.
"""

import argparse
import os
import shlex
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connections  # noqa: E402
from django.test import Client  # noqa: E402

from apps.dashboard import selectors  # noqa: E402
from apps.users.models import User  # noqa: E402
from manydb import guarded, guarded_all, guarded_sequence, routing_scope  # noqa: E402
from manydb.scope.state import current_state, forked_scope  # noqa: E402

ALLOWED = "testserver"


def thread_per_call(tasks: dict) -> dict:
    """The design before the section workers: threads per page, connections closed per thread."""
    parent = current_state()

    def run(name, compute):
        try:
            with forked_scope(parent):
                return guarded(compute, name=name)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=min(6, len(tasks))) as pool:
        futures = {name: pool.submit(run, name, compute) for name, compute in tasks.items()}
        return {name: future.result() for name, future in futures.items()}


def timed(work) -> float:
    started = time.perf_counter()
    with routing_scope():
        work()
    close_old_connections()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=5, help="runs of each variant per round")
    args = parser.parse_args()

    call_command("migrate_all", verbosity=0)
    call_command("seed_demo", verbosity=0)
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ALLOWED]
    client = Client()
    client.force_login(staff)

    engines = sorted({connections[alias].vendor for alias in connections})
    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(f"engines: {', '.join(engines)}; {args.rounds} rounds x {args.per_round} runs per variant, alternating\n")

    def sections(run_all):
        return lambda: selectors.dashboard_sections(user=staff, run_all=run_all)

    for _ in range(3):  # warm up: workers started, pools filled, caches computed
        for run_all in (guarded_all, guarded_sequence, thread_per_call):
            timed(sections(run_all))
    slowest_name, slowest_task = find_slowest(staff)
    variants = {
        "shipped": sections(guarded_all),
        "thread per call": sections(thread_per_call),
        "sequential": sections(guarded_sequence),
        f"slowest alone ({slowest_name})": lambda: guarded_sequence({slowest_name: slowest_task}),
        "whole request": lambda: client.get("/dashboard/"),
    }
    samples = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, work in variants.items():
            samples[name].append(statistics.median(timed(work) for _ in range(args.per_round)))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    slowest = medians[f"slowest alone ({slowest_name})"]
    print(f"{'variant':34} {'median ms':>10} {'vs slowest':>11}")
    for name, value in medians.items():
        print(f"{name:34} {value:10.2f} {value / slowest:10.2f}x")
    shipped, sequential = medians["shipped"], medians["sequential"]
    verdict = "met" if shipped / slowest <= 1.3 else "NOT met"
    print(f"\nshipped / slowest alone: {shipped / slowest:.2f}x (target <= 1.30x: {verdict})")
    verdict = "met" if shipped <= sequential else "NOT met"
    print(f"shipped / sequential:    {shipped / sequential:.2f}x (target <= 1.00x: {verdict})")
    print(f"shipped / thread per call: {shipped / medians['thread per call']:.2f}x")


def find_slowest(staff):
    """The section with the largest median time when the sections run one after another."""
    times = {}
    for _ in range(7):
        with routing_scope():
            result = selectors.dashboard_sections(user=staff, run_all=guarded_sequence)
        close_old_connections()
        for name, section in _flatten(result).items():
            times.setdefault(name, []).append(section.elapsed_ms or 0)
    name = max(times, key=lambda key: statistics.median(times[key]))
    tasks = {**selectors.site_tasks(), "summary": selectors.site_summary_cached}
    return name, tasks[name]


def _flatten(result: dict) -> dict:
    flat = {}
    for key, value in result.items():
        if key in ("recent_posts", "my_events"):
            continue  # the user's own: measured with the page, not candidates here
        if hasattr(value, "elapsed_ms"):
            flat[key] = value
        elif isinstance(value, dict):
            flat.update({f"database:{alias}": section for alias, section in value.items()})
        elif isinstance(value, list):
            for row in value:
                section = row["section"]
                flat[section.name] = section
    return flat


if __name__ == "__main__":
    main()
