"""Resharding 1,000,000 analytics events 2 -> 3 shards (and back) on two PostgreSQL servers.

Scratch databases: bench_analytics on the primary server, bench_analytics_2
and bench_analytics_3 on the shard server (scripts/devdb's pg-shard), so rows
cross from one server to another as they would between machines. The events
are loaded onto two shards by their key (70% accounts out of 50,000, 20%
anonymous sessions, 10% neither), then, alternating over rounds:

  - 2 -> 3: ``MANYDB_RESHARDING=analytics=3 manage.py reshard analytics --to 3``
    (ANALYTICS_SHARDS=2), each run its own process: wall time, rows moved
    (about a third: jump hashing), rows/s, peak memory (maximum resident set
    size, from wait4) and the command's own verification;
  - 3 -> 2: the way back, the same command with the counts swapped.

After each run: ``reshard analytics --to N`` on the new count checks that every
row is on its shard (a scan of every shard, timed), and each shard's count
and content checksum, computed by PostgreSQL, must add up to the loaded
rows' (no row lost, none doubled, none changed).

    scripts/devdb up && set -a && . "$(scripts/devdb env)" && set +a
    .venv/bin/python bench/reshard.py --rows 1000000 --rounds 2
"""

import argparse
import io
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASES = {"analytics": "bench_analytics", "analytics_2": "bench_analytics_2", "analytics_3": "bench_analytics_3"}
# Each row as text in one canonical form, hashed: the shards' sums must add up to the loaded rows'.
CHECKSUM = (
    "SELECT count(*), coalesce(sum(('x' || substr(md5(concat_ws('|', id, event_id, event_type, user_id, "
    "session_key, path, data::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'))), "
    "1, 15))::bit(60)::bigint), 0) FROM analytics_event"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=5000)
    args = parser.parse_args()
    print("$", shlex.join(["python", "bench/reshard.py", *sys.argv[1:]]), flush=True)

    urls = scratch_databases()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        **{f"{alias.upper()}_DATABASE_URL": url for alias, url in urls.items()},
    }
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for alias in ("analytics", "analytics_2"):
        subprocess.run([*manage, "migrate", "--database", alias, "-v", "0"], env=shards(env, 2), check=True)
    load(urls, args.rows, env)
    expected = totals(urls)
    print(f"loaded {expected[0]:,} events on 2 shards: {per_shard(urls)}", flush=True)

    results = {"2 -> 3": [], "3 -> 2": []}
    for round_ in range(args.rounds):
        for name, old, new in (("2 -> 3", 2, 3), ("3 -> 2", 3, 2)):
            command = [*manage, "reshard", "analytics", "--to", str(new), "--chunk-size", str(args.chunk_size)]
            shown = shlex.join(["python", "manage.py", *command[2:]])
            print(f"$ ANALYTICS_SHARDS={old} MANYDB_RESHARDING=analytics={new} {shown}", flush=True)
            run = measure(command, shards(env, old, resharding_to=new))
            check = measure([*manage, "reshard", "analytics", "--to", str(new)], shards(env, new))
            placed = re.search(r"([\d,]+) row\(s\) checked, ([\d,]+) on a shard not theirs", check["out"])
            same = totals(urls) == expected
            results[name].append({**run, "check_seconds": check["seconds"], "placed": placed, "same": same})
            print(
                f"  {name}: {run['moved']:,} of {expected[0]:,} rows moved ({run['moved'] / expected[0]:.1%}) in "
                f"{run['seconds']:.1f}s = {run['moved'] / run['seconds']:,.0f} rows/s, peak {run['rss_mb']:.0f} MB, "
                f"verified: {'yes' if run['verified'] else 'NO'}; placement check {check['seconds']:.1f}s: "
                f"{placed.group(2) if placed else '?'} misplaced; totals and checksums "
                f"{'equal' if same else 'DIFFER'}; shards now {per_shard(urls)}",
                flush=True,
            )
        print(f"round {round_ + 1}/{args.rounds} done", flush=True)
    report(results, expected[0])


def scratch_databases() -> dict[str, str]:
    """Fresh scratch databases owned by the site's role: the first shard on the primary, the others on
    the shard server. Returns alias -> URL."""
    site = urlsplit(os.environ["ANALYTICS_DATABASE_URL"])
    servers = {"analytics": os.environ["DEVDB_PG_ADMIN_URL"]}
    servers.update(dict.fromkeys(("analytics_2", "analytics_3"), os.environ["DEVDB_SHARD_ADMIN_URL"]))
    urls = {}
    for alias, name in DATABASES.items():
        admin = urlsplit(servers[alias])
        with psycopg.connect(servers[alias], autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}" OWNER "{site.username}"')
        urls[alias] = f"postgres://{site.username}:{site.password}@{admin.hostname}:{admin.port}/{name}"
    return urls


def shards(env: dict, count: int, *, resharding_to: int | None = None) -> dict:
    env = {**env, "ANALYTICS_SHARDS": str(count)}
    env.pop("MANYDB_RESHARDING", None)
    if resharding_to is not None:
        env["MANYDB_RESHARDING"] = f"analytics={resharding_to}"
    return env


def load(urls: dict, rows: int, env: dict) -> None:
    """``rows`` events, each COPYed onto its key's shard of two (ids from each shard's own slot)."""
    os.environ.update(shards(env, 2))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from apps.analytics.models import Event  # noqa: PLC0415
    from manydb import shard_of  # noqa: PLC0415  (after django.setup())

    started, random_ = time.monotonic(), random.Random(7)
    now = datetime.now(UTC)
    buffers = {"analytics": io.StringIO(), "analytics_2": io.StringIO()}
    for n in range(rows):
        kind = random_.random()
        event_id = uuid.UUID(int=random_.getrandbits(128), version=4)
        user_id = random_.randint(1, 50_000) if kind < 0.7 else None
        session = f"s{random_.getrandbits(60):x}" if 0.7 <= kind < 0.9 else ""
        key = user_id if user_id is not None else (session or str(event_id))
        when = now - timedelta(seconds=random_.randint(0, 30 * 86400))
        kind_name = ("page_view", "login", "post_created")[n % 3]
        user = "\\N" if user_id is None else user_id
        line = f"{event_id}\t{kind_name}\t{user}\t{session}\t/p/{n % 997}/\t{{}}\t{when.isoformat()}\n"
        buffers[shard_of(Event, key, shards=("analytics", "analytics_2"))].write(line)
    columns = "(event_id, event_type, user_id, session_key, path, data, occurred_at)"
    for alias, buffer in buffers.items():
        with psycopg.connect(urls[alias]) as connection, connection.cursor() as cursor:
            with cursor.copy(f"COPY analytics_event {columns} FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            cursor.execute("ANALYZE analytics_event")
    print(f"loaded in {time.monotonic() - started:.1f}s", flush=True)


def measure(command: list[str], env: dict) -> dict:
    """Run a command as its own process: wall time, rows it moved, its verdict and its peak memory."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        out.seek(0), err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(output, errors, file=sys.stderr)
        raise SystemExit(f"{shlex.join(command[1:])} exited {code}")
    moved = re.search(r"([\d,]+) row\(s\) moved and verified", output.splitlines()[-1] if output else "")
    return {
        "seconds": seconds,
        "moved": int(moved.group(1).replace(",", "")) if moved else 0,
        "verified": moved is not None,
        "rss_mb": usage.ru_maxrss / 1024,
        "out": output,
    }


def totals(urls: dict) -> tuple[int, int]:
    count = checksum = 0
    for url in urls.values():
        with psycopg.connect(url) as connection:
            try:
                rows, total = connection.execute(CHECKSUM).fetchone()
            except psycopg.errors.UndefinedTable:
                continue
        count, checksum = count + rows, (checksum + int(total)) % (1 << 64)
    return count, checksum


def per_shard(urls: dict) -> str:
    counts = []
    for alias, url in urls.items():
        with psycopg.connect(url) as connection:
            try:
                counts.append(f"{alias} {connection.execute('SELECT count(*) FROM analytics_event').fetchone()[0]:,}")
            except psycopg.errors.UndefinedTable:
                counts.append(f"{alias} -")
    return ", ".join(counts)


def report(results: dict, rows: int) -> None:
    print(f"\n{rows:,} events, PostgreSQL shards on two servers (median of {len(results['2 -> 3'])} run(s) each)")
    print(f"{'':8} {'moved':>9} {'share':>6} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} {'check s':>8}  verified")
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        check = statistics.median(r["check_seconds"] for r in runs)
        run = {**runs[0], "seconds": seconds, "check_seconds": check, "rss_mb": max(r["rss_mb"] for r in runs)}
        ok = all(r["verified"] and r["same"] and r["placed"] and r["placed"].group(2) == "0" for r in runs)
        print(
            f"{name:8} {run['moved']:>9,} {run['moved'] / rows:>6.1%} {run['seconds']:>8.1f} "
            f"{run['moved'] / run['seconds']:>8,.0f} {run['rss_mb']:>8.0f} {run['check_seconds']:>8.1f}  "
            f"{'yes: counts, checksums, placement' if ok else 'NO'}"
        )


if __name__ == "__main__":
    main()
