"""Page loads while the standby comes and goes: reads repeated elsewhere against reads that fail.

Twenty clients load blog pages (the list and post pages) for 60 s while the
standby is stopped and started every 10 s (`scripts/devdb replica-stop` /
`replica-start`). Compared in one run, alternating:
  - "retry": the site as it is; a read that fails on the standby as it goes
    away is repeated on the primary within the request (manydb.replicas.retry);
  - "no retry": the same site with that repetition switched off in this
    process (the behaviour before it existed): the read fails, the page is a 503.

The site runs in this process on Django's threaded development server (one
thread per request, pools of 24 per alias), so the variant can be switched.
Target: 0 failed page loads with the retry.

    scripts/devdb up
    set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/replica_churn.py --seconds 60 --every 10 --clients 20
"""

import argparse
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DB_POOL_MAX_SIZE", "24")  # one connection per client thread, as 6 workers x 4 would give
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.blog.models import Post  # noqa: E402
from apps.users.models import User  # noqa: E402
from manydb.replicas import retry  # noqa: E402
from manydb.replicas.breaker import replica_health  # noqa: E402
from tests.real.traffic import SiteClient, Tally, read_pages  # noqa: E402  (the suite's HTTP clients)

DEVDB = str(BASE_DIR / "scripts" / "devdb")
SLUG_PREFIX = "bench-churn"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="per variant")
    parser.add_argument("--every", type=float, default=10, help="seconds between stopping and starting the standby")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8766")))
    args = parser.parse_args()
    if "DEVDB_PG_ADMIN_URL" not in os.environ:
        sys.exit("bench/replica_churn.py needs the real topology: see its docstring.")
    call_command("migrate_all", verbosity=0)
    author, _ = User.objects.get_or_create(username="bench-churn-author")
    posts = [
        Post.objects.get_or_create(slug=f"{SLUG_PREFIX}-{n}", defaults={"title": f"Churn {n}", "author": author})[0]
        for n in range(3)
    ]
    for post in posts:  # published, so every client may read them
        Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    paths = ["/blog/", *(f"/blog/{post.slug}/" for post in posts)]

    server = ThreadedWSGIServer(("127.0.0.1", args.port), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()

    print(f"$ {shlex.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(
        f"{args.clients} clients, {args.seconds:.0f} s per variant, standby stopped/started every {args.every:.0f} s\n"
    )
    results = {}
    can_retry = retry.can_retry
    for name, retrying in (("retry", True), ("no retry", False)):
        retry.can_retry = can_retry if retrying else (lambda *args: False)
        results[name] = run(paths, args)
    retry.can_retry = can_retry
    server.shutdown()
    Post.objects.filter(slug__startswith=SLUG_PREFIX).delete()

    print(f"{'variant':<10}{'page loads':>12}{'failed':>8}{'other errors':>14}{'standby reads':>15}")
    for name, r in results.items():
        print(f"{name:<10}{r['ok'] + r['failed']:>12}{r['failed']:>8}{r['errors']:>14}{r['standby_reads']:>15}")
    verdict = "met" if results["retry"]["failed"] == 0 and results["retry"]["errors"] == 0 else "NOT met"
    print(f"\ntarget (0 failed page loads with the retry): {verdict}")


def run(paths: list[str], args) -> dict:
    subprocess.run([DEVDB, "replica-start"], check=True, capture_output=True)
    replica_health.reset()
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=read_pages, args=(SiteClient(f"http://127.0.0.1:{args.port}"), f"c{n}", paths, tally, stop)
        )
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    started, running = time.monotonic(), True
    while time.monotonic() - started < args.seconds:
        time.sleep(args.every)
        subprocess.run([DEVDB, "replica-stop" if running else "replica-start"], check=True, capture_output=True)
        running = not running
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    subprocess.run([DEVDB, "replica-start"], check=True, capture_output=True)
    standby = replica_health.snapshot(["replica"])[0]
    return {
        "ok": len(tally.ok),
        "failed": len(tally.unavailable),
        "errors": len(tally.errors),
        "standby_reads": standby["reads_served"],
    }


if __name__ == "__main__":
    main()
