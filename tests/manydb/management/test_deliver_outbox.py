"""deliver_outbox --loop, as a worker container's main process, stops promptly on SIGTERM and SIGINT."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
ALIASES = ("DATABASE", "USERS_DATABASE", "ANALYTICS_DATABASE", "CACHE_DATABASE", "LEGACY_DATABASE")


def start_worker(tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        **{f"{name}_URL": f"sqlite:///{tmp_path}/{name.lower()}.sqlite3" for name in ALIASES},
    }
    env.pop("REPLICA_DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_outbox", "--loop", "--interval", "60"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The handlers are installed before this line is written.
    assert worker.stdout.readline().startswith("delivering the outbox every 60s")
    return worker


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_loop_stops_promptly_and_cleanly(tmp_path, signum):
    worker = start_worker(tmp_path)
    try:
        time.sleep(0.5)  # well inside the 60 s wait between rounds
        sent = time.monotonic()
        worker.send_signal(signum)
        returncode = worker.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert returncode == 0, worker.stderr.read()
    assert took < 3, f"took {took:.1f}s to stop"
    assert worker.stdout.read().strip().splitlines()[-1] == "stopped"
