"""What the router and the join guard cost per query: the same primary-key lookup, same server.

Three variants, alternating in batches, medians of the batches:

  no router        DATABASE_ROUTERS emptied: Django alone, on default
  router, primary  the routing-map router and the join guard, reads kept on
                   default (use_primary()), so the server is the same
  router, replica  the same with reads routed as in a request (the standby)

    set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/query_overhead.py --batches 15 --per-batch 400
"""

import argparse
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, router  # noqa: E402

from apps.blog.models import Post  # noqa: E402
from apps.users.models import User  # noqa: E402
from manydb import routing_scope, use_primary  # noqa: E402
from manydb.scope.state import current_state  # noqa: E402

SLUG = "bench-query-overhead"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--per-batch", type=int, default=400)
    args = parser.parse_args()
    call_command("migrate_all", verbosity=0)
    author, _ = User.objects.get_or_create(username="bench-author")
    post, _ = Post.objects.get_or_create(slug=SLUG, defaults={"author": author, "title": "overhead", "body": "b"})

    def batch() -> float:
        started = time.perf_counter()
        for _ in range(args.per_batch):
            Post.objects.filter(pk=post.pk).first()
        return (time.perf_counter() - started) / args.per_batch * 1e6

    def no_router() -> float:
        routers = router.routers
        router.__dict__["routers"] = []
        try:
            return batch()
        finally:
            router.__dict__["routers"] = routers

    def router_primary() -> float:
        with routing_scope(), use_primary():
            return batch()

    served = {}

    def router_replica() -> float:
        with routing_scope():
            Post.objects.filter(pk=post.pk).first()  # the scope's replica probe, outside the timing
            served["by"] = current_state().chosen.get("default")
            return batch()

    variants = {"no router": no_router, "router, primary": router_primary, "router, replica": router_replica}
    for work in variants.values():
        work()  # warm up
    samples = {name: [] for name in variants}
    for _ in range(args.batches):
        for name, work in variants.items():
            samples[name].append(work())
    Post.objects.filter(slug=SLUG).delete()

    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    engine = connections["default"].vendor
    print(f"default on {engine}; {args.batches} batches x {args.per_batch} lookups, variants alternating\n")
    baseline = statistics.median(samples["no router"])
    for name, values in samples.items():
        median = statistics.median(values)
        where = f" (on {served.get('by')})" if name == "router, replica" else " (on default)"
        print(f"{name + where:30} {median:8.1f} us/query  {median / baseline:5.2f}x")


if __name__ == "__main__":
    main()
