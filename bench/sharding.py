"""Event inserts per second: one analytics shard against two shards on two PostgreSQL servers.

Eight client processes record events the way the site stores them: one
single-row INSERT per event into analytics_event (the statement the outbox
delivery runs for one message, ON CONFLICT DO NOTHING included), each in a
transaction of its own that commits before the next event, with
synchronous_commit on (asserted in every client session). Variants, side by
side in one run, alternated over rounds:

  - one shard:  every event goes to analytics_event on the primary;
  - two shards: jump_hash(shard_key_hash(key), 2) picks the primary's table or
    the one on the shard server (scripts/devdb's pg-shard, another initdb on
    another port). The key is the event's user id, or its session key for an
    anonymous visitor, as the site shards events.

Both servers get a scratch database (bench_sharding) whose analytics_event is
made by the site's own migrations (partitioned by month on PostgreSQL), and
lose it afterwards. Before each measurement both tables are emptied and both
servers CHECKPOINT. After it, the rows on the shards must add up to the inserts
the clients counted, and they are printed per shard.

scripts/devdb runs its servers with fsync=off (throwaway data), so a commit
there never waits for the disk. --fsync on (the default) turns fsync on for
the run (ALTER SYSTEM + reload, on both servers; reset afterwards, whatever
happens), so commits are as durable as production's; --fsync both measures
each variant with fsync on and off, side by side.

    make bench-shard

or by hand:

    scripts/devdb up
    set -a; . "$(scripts/devdb env)"; set +a
    .venv/bin/python bench/sharding.py --clients 8 --seconds 8 --rounds 4 --fsync both
"""

import argparse
import multiprocessing
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.types.json import Jsonb

REPO = Path(__file__).resolve().parents[1]
SCRATCH = "bench_sharding"
USERS = 50_000  # user ids the signed-in visitors' events carry
ANONYMOUS = 0.3  # share of events from visitors without an account (keyed by session)
INSERT = """INSERT INTO analytics_event (event_id, event_type, user_id, session_key, path, data, occurred_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"""
EVENT_TYPES = ("page_view", "page_view", "page_view", "signup", "post_published")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
sys.path.insert(0, str(REPO))


# ---------------------------------------------------------------- servers


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}", query=""))


def connect(url: str, **kwargs) -> psycopg.Connection:
    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
        **kwargs,
    )


class Server:
    """One PostgreSQL server of the topology: its superuser URL and the site's URL for the scratch database."""

    def __init__(self, name: str, admin_variable: str, site_variable: str):
        self.name = name
        self.admin_url = os.environ[admin_variable]
        self.site_url = with_database(os.environ[site_variable], SCRATCH)

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return connect(with_database(self.admin_url, dbname), autocommit=True)

    def create_scratch(self) -> None:
        owner = urlsplit(self.site_url).username
        with self.admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{SCRATCH}" OWNER "{owner}"')
        # The site's own migrations make the table, partitions and indexes included.
        environment = {**os.environ, "ANALYTICS_DATABASE_URL": self.site_url, "ANALYTICS_SHARDS": "1"}
        environment.pop("ANALYTICS_2_DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "analytics", "--database", "analytics", "-v", "0"],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"migrating analytics into {SCRATCH} on {self.name} failed:\n{result.stderr}")

    def drop_scratch(self) -> None:
        with self.admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')

    def set_fsync(self, value: str | None) -> None:
        """ALTER SYSTEM (postgresql.auto.conf wins over devdb.conf); None resets it. Checked afterwards."""
        with self.admin() as db:
            db.execute("ALTER SYSTEM RESET fsync" if value is None else f"ALTER SYSTEM SET fsync = {value}")
            db.execute("SELECT pg_reload_conf()")
        if value is not None:
            deadline = time.monotonic() + 10
            while self.setting("fsync") != value:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} did not take fsync = {value}")
                time.sleep(0.05)

    def setting(self, name: str) -> str:
        with self.admin() as db:
            return db.execute("SELECT current_setting(%s)", [name]).fetchone()[0]

    def prepare(self) -> None:
        with self.admin(SCRATCH) as db:
            db.execute("TRUNCATE analytics_event")
            db.execute("CHECKPOINT")

    def wal_syncs(self) -> int:
        """WAL flushes to disk so far (pg_stat_wal; none are counted while fsync is off)."""
        with self.admin() as db:
            return db.execute("SELECT wal_sync FROM pg_stat_wal").fetchone()[0]

    def rows(self) -> int:
        with self.admin(SCRATCH) as db:
            return db.execute("SELECT count(*) FROM analytics_event").fetchone()[0]


# ---------------------------------------------------------------- clients


def client(urls: list[str], seconds: float, seed: int, barrier, results) -> None:
    """One visitor-facing process: its events, one committed INSERT each, for ``seconds``."""
    from manydb import jump_hash, shard_key_hash  # the site's choice of shard for a key

    rng = random.Random(seed)
    connections = [connect(url, autocommit=True) for url in urls]
    for conn in connections:
        value = conn.execute("SHOW synchronous_commit").fetchone()[0]
        assert value == "on", f"synchronous_commit is {value!r} on {conn.info.host}:{conn.info.port}"
    latencies, per_shard = [], [0] * len(urls)
    barrier.wait()
    cpu = os.times()
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        if rng.random() < ANONYMOUS:
            user_id, session_key = None, uuid.UUID(int=rng.getrandbits(128)).hex
        else:
            user_id, session_key = rng.randint(1, USERS), ""
        index = jump_hash(shard_key_hash(user_id if user_id is not None else session_key), len(urls))
        connections[index].execute(
            INSERT,
            (
                uuid.uuid4(),
                rng.choice(EVENT_TYPES),
                user_id,
                session_key,
                f"/blog/post-{rng.randint(1, 1000)}/",
                Jsonb({"referrer": "bench"}),
                datetime.now(UTC),
            ),
        )  # autocommit: the INSERT is its own transaction, committed (and flushed) before the next
        latencies.append(time.perf_counter() - started)
        per_shard[index] += 1
    cpu_seconds = sum(os.times()[:2]) - sum(cpu[:2])
    for conn in connections:
        conn.close()
    results.put((per_shard, latencies, cpu_seconds))


def cpu_times() -> tuple[int, int, int]:
    """(busy, iowait, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy, iowait, busy + idle + iowait


def measure(servers: list[Server], clients: int, seconds: float, seed: int) -> dict:
    for server in servers:
        server.prepare()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients + 1), context.Queue()
    processes = [
        context.Process(target=client, args=([s.site_url for s in servers], seconds, seed + i, barrier, results))
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    syncs_before = [server.wal_syncs() for server in servers]
    barrier.wait()
    cpu_before, started = cpu_times(), time.perf_counter()
    outcomes = [results.get(timeout=seconds + 120) for _ in processes]
    elapsed, cpu_after = time.perf_counter() - started, cpu_times()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a client exited with {process.exitcode}")
    syncs = sum(server.wal_syncs() for server in servers) - sum(syncs_before)
    per_shard = [sum(outcome[0][i] for outcome in outcomes) for i in range(len(servers))]
    latencies = sorted(latency for outcome in outcomes for latency in outcome[1])
    stored = [server.rows() for server in servers]
    if stored != per_shard:
        raise SystemExit(f"rows stored per shard {stored} differ from the inserts committed {per_shard}")
    busy, iowait, total = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    return {
        "rate": sum(per_shard) / max(elapsed, seconds),
        "per_shard": per_shard,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "cpu": 100 * busy / total,
        # The clients' own share of the machine: Python building and sending the INSERTs.
        "clients_cpu": 100 * sum(outcome[2] for outcome in outcomes) / (elapsed * os.cpu_count()),
        "iowait": 100 * iowait / total,
        # Group commit: how many commits one WAL flush carried (0 flushes while fsync is off).
        "per_flush": sum(per_shard) / syncs if syncs else None,
    }


# ---------------------------------------------------------------- the run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--fsync", choices=("on", "off", "both"), default="on")
    args = parser.parse_args()
    print("$", shlex.join(["python", "bench/sharding.py", *sys.argv[1:]]), flush=True)

    import django

    django.setup()
    primary = Server("primary", "DEVDB_PG_ADMIN_URL", "ANALYTICS_DATABASE_URL")
    shard = Server("shard server", "DEVDB_SHARD_ADMIN_URL", "ANALYTICS_2_DATABASE_URL")
    identities = {}
    for server in (primary, shard):
        with server.admin() as db:
            identities[server.name] = db.execute(
                "SELECT inet_server_port(), system_identifier, version() FROM pg_control_system()"
            ).fetchone()
    if identities["primary"][1] == identities["shard server"][1]:
        raise SystemExit("the two shards' servers have one system identifier: they are one server")
    fsync_modes = ["on", "off"] if args.fsync == "both" else [args.fsync]
    variants = [(shards, mode) for mode in fsync_modes for shards in (1, 2)]
    topologies = {1: [primary], 2: [primary, shard]}

    load_before = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
    )
    for name, (port, system_identifier, version) in identities.items():
        print(f"{name:13} 127.0.0.1:{port}  system_identifier {system_identifier}  {version.split(',')[0]}")
    print(
        f"{args.clients} clients, {args.seconds:g} s per measurement, {args.rounds} rounds, "
        f"users 1..{USERS:,} ({ANONYMOUS:.0%} of events anonymous, keyed by session)",
        flush=True,
    )

    samples = {variant: [] for variant in variants}
    try:
        for server in (primary, shard):
            server.create_scratch()
        for round_ in range(args.rounds):
            # Each round the other variant goes first (and the fsync modes swap too).
            order = variants if round_ % 2 == 0 else variants[::-1]
            for shards, mode in order:
                for server in (primary, shard):
                    server.set_fsync(mode)
                result = measure(topologies[shards], args.clients, args.seconds, seed=1000 * round_ + 10 * shards)
                samples[(shards, mode)].append(result)
                split = " + ".join(f"{count:,}" for count in result["per_shard"])
                print(
                    f"round {round_ + 1}/{args.rounds}  {shards} shard{'s' if shards > 1 else ' '} fsync {mode:3}: "
                    f"{result['rate']:8,.0f} inserts/s  (rows {split})  p50 {result['p50']:.2f} ms  "
                    f"p99 {result['p99']:.2f} ms  CPU busy {result['cpu']:.0f}% "
                    f"(clients {result['clients_cpu']:.0f}%)  "
                    f"iowait {result['iowait']:.0f}%"
                    + (f"  {result['per_flush']:.1f} commits/flush" if result["per_flush"] else ""),
                    flush=True,
                )
    finally:
        for server in (primary, shard):
            try:
                server.set_fsync(None)
                server.drop_scratch()
            except psycopg.Error as error:
                print(f"cleanup on {server.name} failed: {error}", file=sys.stderr)

    load_after = os.getloadavg()
    print(f"\nload average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(
        f"\n{'variant':24} {'inserts/s (median)':>19} {'min':>8} {'max':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'CPU %':>6} {'clients %':>9}"
    )
    medians = {}
    for (shards, mode), results in samples.items():
        rates = [r["rate"] for r in results]
        medians[(shards, mode)] = statistics.median(rates)
        label = f"{shards} shard{'s' if shards > 1 else ''}, fsync {mode}"
        print(
            f"{label:24} {medians[(shards, mode)]:>19,.0f} {min(rates):>8,.0f} {max(rates):>8,.0f} "
            f"{statistics.median(r['p50'] for r in results):>7.2f} "
            f"{statistics.median(r['p99'] for r in results):>7.2f} "
            f"{statistics.median(r['cpu'] for r in results):>6.0f} "
            f"{statistics.median(r['clients_cpu'] for r in results):>9.0f}"
        )
    print()
    for mode in fsync_modes:
        ratio = medians[(2, mode)] / medians[(1, mode)]
        # The two variants of a round ran back to back, so their ratio sees the same machine load.
        paired = sorted(
            two["rate"] / one["rate"] for one, two in zip(samples[(1, mode)], samples[(2, mode)], strict=True)
        )
        print(
            f"two shards / one shard, fsync {mode}: {ratio:.2f}x (medians); per round "
            f"{statistics.median(paired):.2f}x median, {paired[0]:.2f}x to {paired[-1]:.2f}x"
        )
    for mode in fsync_modes:
        flushes = {n: [r["per_flush"] for r in samples[(n, mode)] if r["per_flush"]] for n in (1, 2)}
        if flushes[1] and flushes[2]:
            print(
                f"commits per WAL flush, fsync {mode}: one shard {statistics.median(flushes[1]):.1f}, "
                f"two shards {statistics.median(flushes[2]):.1f} (summed over both servers)"
            )


if __name__ == "__main__":
    main()
