"""Replica routing under a mixed workload against a lagging standby.

Compares, in one run and on the same servers:
  - read-your-writes by LSN token (the default) against a fixed 15 s window
    after each write (the usual cookie approach): share of reads served by
    the replica, and stale reads seen by writers (must be zero for both);
  - the router's own cost per query, against no router at all.

Needs the real topology with an apply delay on the standby:

    make bench          # scripts/devdb up, standby delay 2 s, this script, delay back to 0

or by hand:

    scripts/devdb up --apply-delay 2
    set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/replica_routing.py --clients 8 --seconds 30
"""

import argparse
import os
import random
import shlex
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
# One pooled connection per client thread and alias, as a server with that
# many threads would need (the pool's default of 4 would make clients queue).
os.environ.setdefault("DB_POOL_MAX_SIZE", "32")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connections, router  # noqa: E402
from django.test import override_settings  # noqa: E402

from apps.blog.models import Post  # noqa: E402
from apps.users.models import User  # noqa: E402
from manydb.replicas.breaker import replica_health  # noqa: E402
from manydb.scope.state import current_state, routing_scope  # noqa: E402
from manydb.scope.writes import scope_token  # noqa: E402

PRIMARY = "default"
SLUG_PREFIX = "bench-"

POLICIES = {
    "LSN token": {"CAUSAL_TOKENS": "lsn"},
    "15 s window": {"CAUSAL_TOKENS": "time", "FALLBACK_PIN_SECONDS": 15},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30, help="per policy")
    parser.add_argument("--write-every", type=float, default=5, help="mean seconds between a client's writes")
    parser.add_argument("--think", type=float, default=0.1, help="seconds between a client's operations")
    parser.add_argument("--overhead-queries", type=int, default=3000)
    args = parser.parse_args()

    _require_real_topology()
    call_command("migrate_all", verbosity=0)
    author, _ = User.objects.get_or_create(username="bench-author")

    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(
        f"standby apply delay: {_apply_delay()}; {args.clients} clients, {args.seconds:.0f} s per policy, "
        f"a write every ~{args.write_every:.0f} s per client, {args.think * 1000:.0f} ms between operations\n"
    )

    results = {}
    for name, options in POLICIES.items():
        with override_settings(MANYDB={**settings.MANYDB, "REPLICA_READS": options}):
            results[name] = run_workload(author, args)
        _cleanup()

    print(f"{'policy':<14}{'reads':>8}{'on replica':>12}{'share':>8}{'writes':>8}{'writer stale':>14}")
    for name, r in results.items():
        print(f"{name:<14}{r['reads']:>8}{r['replica_reads']:>12}{r['share']:>8.1%}{r['writes']:>8}{r['stale']:>14}")
    lsn, window = results["LSN token"]["share"], results["15 s window"]["share"]
    ratio = f"{lsn / window:.1f}x" if window else "inf (the window sent no read to the replica)"
    print(f"\nreplica share, LSN token / 15 s window: {ratio}\n")

    measure_overhead(author, args.overhead_queries)


def run_workload(author, args) -> dict:
    replica_health.reset()
    stop = time.monotonic() + args.seconds
    totals = {"reads": 0, "replica_reads": 0, "writes": 0, "stale": 0}
    lock = threading.Lock()

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        token, last_slug, n = None, None, 0
        mine = dict.fromkeys(totals, 0)
        while time.monotonic() < stop:
            with routing_scope(token=token):
                if rnd.random() < args.think / args.write_every:
                    n += 1
                    last_slug = f"{SLUG_PREFIX}{seed}-{n}"
                    Post.objects.create(
                        author=author, title=last_slug, slug=last_slug, body="b", status=Post.Status.PUBLISHED
                    )
                    token = scope_token()
                    mine["writes"] += 1
                else:
                    list(Post.objects.filter(status=Post.Status.PUBLISHED).order_by("-id")[:10])
                    if last_slug and not Post.objects.filter(slug=last_slug).exists():
                        mine["stale"] += 1  # a writer that cannot see its own write
                    mine["reads"] += 1
                    mine["replica_reads"] += current_state().chosen.get(PRIMARY) != PRIMARY
            close_old_connections()  # end of "request", as Django's handler does it
            time.sleep(args.think)
        with lock:
            for key, value in mine.items():
                totals[key] += value

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals["share"] = totals["replica_reads"] / totals["reads"] if totals["reads"] else 0.0
    return totals


def measure_overhead(author, count: int) -> None:
    """Per-query cost of routing: the same primary-key lookup with the router and without."""
    post = Post.objects.create(author=author, title="overhead", slug=f"{SLUG_PREFIX}overhead", body="b")

    def lookups() -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(count // 5):
                Post.objects.filter(pk=post.pk).first()
            samples.append((time.perf_counter() - started) / (count // 5))
        return statistics.median(samples) * 1e6

    def decisions() -> float:
        started = time.perf_counter()
        for _ in range(count * 10):
            router.db_for_read(Post)
        return (time.perf_counter() - started) / (count * 10) * 1e6

    routers = router.routers
    try:
        router.__dict__["routers"] = []  # no router: every query on default
        plain_query, plain_decision = lookups(), decisions()
    finally:
        router.__dict__["routers"] = routers
    with routing_scope():
        with_router_query, with_router_decision = lookups(), decisions()
        served_by = current_state().chosen.get(PRIMARY)
    with routing_scope():
        started = time.perf_counter()
        router.db_for_read(Post)  # the first read of a scope probes its replica
        first_read = (time.perf_counter() - started) * 1e6
    Post.objects.filter(pk=post.pk).delete()

    print(f"routing overhead ({count} primary-key lookups each, median of 5 batches):")
    print(f"  no router:   {plain_query:8.1f} us/query  (on default), decision {plain_decision:5.2f} us")
    print(
        f"  with router: {with_router_query:8.1f} us/query  (on {served_by}), decision {with_router_decision:5.2f} us"
    )
    print(
        f"  ratio with/without: {with_router_query / plain_query:.2f}x per query; "
        f"once per scope, the replica probe: {first_read:.0f} us"
    )


def _require_real_topology() -> None:
    if connections[PRIMARY].vendor != "postgresql" or "replica" not in connections:
        sys.exit("bench/replica_routing.py needs the real topology: see its docstring (make bench).")


def _apply_delay() -> str:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SHOW recovery_min_apply_delay")
        return cursor.fetchone()[0]


def _cleanup() -> None:
    Post.objects.filter(slug__startswith=SLUG_PREFIX).delete()


if __name__ == "__main__":
    main()
