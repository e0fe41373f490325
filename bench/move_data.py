"""Moving 1,000,000 legacy-shaped rows from MariaDB to PostgreSQL: move_data, dumpdata | loaddata, pgloader.

Side by side, on the same servers and the same rows, alternating the tools
over several rounds; each tool runs as its own process, so its peak memory
(maximum resident set size, from wait4) is its own:

  - move_data: streamed, COPY into PostgreSQL, checkpointed, verified (the
    time includes the verification pass);
  - dumpdata --format jsonl | loaddata: Django's own way, measured on a
    sample (--sample rows) because it is slow, and said so;
  - pgloader (Debian's package): MySQL to PostgreSQL, no resume, no verification.

And the time to finish after a kill -9 half-way: move_data continues from
its checkpoint; pgloader and dumpdata can only start again from nothing.

Needs the real topology (scripts/devdb) and pgloader:

    make bench-move        # scripts/devdb up, then this script
    # or by hand:
    scripts/devdb up && set -a && . "$(scripts/devdb env)" && set +a
    .venv/bin/python bench/move_data.py --rows 1000000 --sample 20000 --rounds 2
"""

import argparse
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import MySQLdb
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
SOURCE_DB, TARGET_DB = "bench_move_source", "bench_move_target"
BENCH_USER, BENCH_PASSWORD = "bench_move", "bench-move-local-only"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="rows for dumpdata | loaddata")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print("$", shlex.join(["python", "bench/move_data.py", *sys.argv[1:]]))

    mysql_url, pg_admin = os.environ["DEVDB_MYSQL_ADMIN_URL"], urlsplit(os.environ["DEVDB_PG_ADMIN_URL"])
    legacy = urlsplit(os.environ["LEGACY_DATABASE_URL"])
    socket = dict(part.split("=", 1) for part in urlsplit(mysql_url).query.split("&"))["unix_socket"]
    prepare_source(socket, args.rows)
    mysql = f"mysql://{BENCH_USER}:{BENCH_PASSWORD}@{legacy.hostname}:{legacy.port}/{SOURCE_DB}"
    pg = f"postgres://{pg_admin.username}:{pg_admin.password}@{pg_admin.hostname}:{pg_admin.port}/{TARGET_DB}"
    admin = f"host={pg_admin.hostname} port={pg_admin.port} user={pg_admin.username} password={pg_admin.password}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "LEGACY_DATABASE_URL": mysql,
        "DATABASE_URL": pg,
        "REPLICA_DATABASE_URL": "",
    }
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    move = [*manage, "move_data", "legacy", "--models", "Customer", "--from", "legacy", "--to", "default"]

    results = {"move_data": [], "dumpdata | loaddata": [], "pgloader": []}
    for round_ in range(args.rounds):
        fresh_target(admin)
        results["move_data"].append(run(move, env, args.rows))
        fresh_target(admin)
        pgloader = ["pgloader", "--quiet", f"{mysql}", f"postgresql://{pg.split('://', 1)[1]}"]
        results["pgloader"].append(run(pgloader, env, args.rows))
        fresh_target(admin)
        results["dumpdata | loaddata"].append(dump_and_load(manage, env, args.sample))
        print(f"round {round_ + 1}/{args.rounds} done", flush=True)

    print(
        f"\n{args.rows:,} rows of a legacy-shaped table (customers), MariaDB -> PostgreSQL; "
        f"dumpdata | loaddata on the first {args.sample:,} rows; median of {args.rounds} round(s)\n"
    )
    print(f"{'tool':22} {'rows/s':>10} {'seconds':>8} {'peak MB':>8}")
    rates = {}
    for tool, runs in results.items():
        rates[tool] = statistics.median(r["rate"] for r in runs)
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        print(f"{tool:22} {rates[tool]:>10,.0f} {seconds:>8.1f} {peak:>8.0f}")
    copy = statistics.median(r["copy_seconds"] for r in results["move_data"])
    print(f"{'  of which the copy':22} {args.rows / copy:>10,.0f} {copy:>8.1f}   (the rest: start-up, verification)")
    print(f"\nmove_data / dumpdata|loaddata: {rates['move_data'] / rates['dumpdata | loaddata']:.1f}x (target >= 30x)")
    print(f"move_data / pgloader:          {rates['move_data'] / rates['pgloader']:.2f}x (target >= 0.8x)")
    print(f"copy phase alone / pgloader:   {args.rows / copy / rates['pgloader']:.2f}x (pgloader does not verify)")
    peak = max(r["peak_mb"] for r in results["move_data"])
    print(f"move_data peak memory:         {peak:.0f} MB (target < 150 MB)")

    fresh_target(admin)
    resumed = kill_half_way_and_resume(move, env, admin, args.rows)
    print(
        f"\nkill -9 at {resumed['killed_at']:,} rows, then the same command again: finished in "
        f"{resumed['seconds']:.1f} s, {resumed['copied']:,} rows copied by the re-run, verified: {resumed['ok']}"
    )
    print(
        f"(pgloader and dumpdata | loaddata start again from nothing: a full run, "
        f"{statistics.median(r['seconds'] for r in results['pgloader']):.1f} s for pgloader)"
    )


def prepare_source(socket: str, rows: int) -> None:
    """The source table, shaped like legacy.customers, filled with ``rows`` rows once."""
    db = MySQLdb.connect(user="root", unix_socket=socket, autocommit=True)
    cursor = db.cursor()
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS {SOURCE_DB}")
    cursor.execute(f"CREATE USER IF NOT EXISTS '{BENCH_USER}'@'%' IDENTIFIED BY '{BENCH_PASSWORD}'")
    cursor.execute(f"GRANT ALL ON {SOURCE_DB}.* TO '{BENCH_USER}'@'%'")
    cursor.execute(f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{SOURCE_DB}'")
    if cursor.fetchone()[0]:
        cursor.execute(f"SELECT count(*) FROM {SOURCE_DB}.customers")
        if cursor.fetchone()[0] == rows:
            return
        cursor.execute(f"DROP TABLE {SOURCE_DB}.customers")
    schema = (BASE_DIR / "apps/legacy/sql/schema.mysql.sql").read_text()
    statement = schema[schema.index("CREATE TABLE IF NOT EXISTS customers") :].split(";", 1)[0]
    cursor.execute(f"USE {SOURCE_DB}")
    cursor.execute(statement)
    cursor.execute(
        f"INSERT INTO customers (cust_no, cust_nm, email_addr, city_nm, cntry_cd, crt_dt) "
        f"SELECT seq, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), "
        f"ELT(1 + seq % 4, 'Lyon', 'Porto', 'Gent', NULL), ELT(1 + seq % 3, 'FR', 'PT', 'BE'), "
        f"TIMESTAMP('2020-01-01') + INTERVAL seq SECOND FROM seq_1_to_{rows}"
    )
    db.close()


def fresh_target(admin: str) -> None:
    with psycopg.connect(admin + " dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TARGET_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {TARGET_DB}")


def run(command, env, rows: int) -> dict:
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{shlex.join(command)} failed:\n{output.decode(errors='replace')}")
    result = {"seconds": seconds, "rate": rows / seconds, "peak_mb": usage.ru_maxrss / 1024}
    # move_data says how long its copy took ("... row(s) copied in 12.3s ..."): the rest is start-up and verifying.
    copied = re.search(rb"row\(s\) copied in ([0-9.]+)s", output)
    if copied:
        result["copy_seconds"] = float(copied.group(1))
    return result


def dump_and_load(manage, env, sample: int) -> dict:
    """dumpdata (jsonl) of the first ``sample`` rows, then loaddata into an existing empty table."""
    # loaddata needs the table: made from the model, as move_data makes it.
    create = "from django.db import connection\nfrom apps.legacy.models import Customer as C\n"
    create += "with connection.schema_editor() as editor: editor.create_model(C)"
    run([*manage, "shell", "-c", create], env, 1)
    with tempfile.TemporaryDirectory() as folder:
        fixture = Path(folder) / "customers.jsonl"
        code = (
            "import django; django.setup()\n"
            "from django.core import serializers\nfrom apps.legacy.models import Customer\n"
            f"rows = Customer.objects.using('legacy').order_by('pk')[:{sample}]\n"
            f"open({str(fixture)!r}, 'w').write(serializers.serialize('jsonl', rows))\n"
        )
        # dumpdata has no row limit: its serializer, on the sample's queryset.
        dump = run([sys.executable, "-c", code], env, sample)
        load = run([*manage, "loaddata", str(fixture), "--database", "default"], env, sample)
    seconds = dump["seconds"] + load["seconds"]
    return {"seconds": seconds, "rate": sample / seconds, "peak_mb": max(dump["peak_mb"], load["peak_mb"])}


def kill_half_way_and_resume(move, env, admin: str, rows: int) -> dict:
    process = subprocess.Popen(move, env=env, cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    copied = 0
    with psycopg.connect(admin + f" dbname={TARGET_DB}", autocommit=True) as conn:
        while copied < rows // 2:
            time.sleep(0.05)
            try:
                row = conn.execute("SELECT rows_copied FROM manydb_move_checkpoint").fetchone()
            except psycopg.errors.UndefinedTable:
                continue
            copied = row[0] if row else 0
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    started = time.monotonic()
    result = subprocess.run(move, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    seconds = time.monotonic() - started
    line = next((line for line in result.stdout.splitlines() if "row(s) copied" in line), "")
    again = int(line.split(": ", 1)[1].split(" ", 1)[0].replace(",", "")) if line else -1
    return {"killed_at": copied, "seconds": seconds, "copied": again, "ok": result.returncode == 0}


if __name__ == "__main__":
    main()
