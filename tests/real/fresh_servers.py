"""Fresh servers for the container scripts' tests, built the way the official images build theirs.

The scripts under docker/ run inside postgres:17 and mysql:8.4 after the
image's entrypoint has done its part (initdb, a temporary server on a socket,
the POSTGRES_*/MYSQL_* environment). These helpers play that part with the
machine's own PostgreSQL and MariaDB binaries, in a temporary directory, on
free ports of 127.0.0.1: nothing of the devdb topology or of any other server
is touched. PostgreSQL refuses to run as root, so as root its processes run
as the user scripts/devdb uses.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_bindir() -> Path:
    """Where initdb, pg_ctl, postgres and pg_basebackup are (Debian keeps them off PATH)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        candidates.insert(0, Path(bindir))
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres", "pg_basebackup")):
            return bindir
    pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")


def pg_os_user() -> str | None:
    """The unprivileged user PostgreSQL runs as when the tests run as root; None otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "devdb-postgres"):
        if subprocess.run(["id", "-u", name], capture_output=True).returncode == 0:
            return name
    pytest.skip("running as root, with no unprivileged 'postgres' user to run PostgreSQL as")


def as_pg(command: list[str]) -> list[str]:
    user = pg_os_user()
    if not user:
        return command
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
    if not runuser:
        pytest.skip("running as root without runuser (util-linux) to start PostgreSQL as another user")
    return [runuser, "-u", user, "--", *command]


def scratch_dir(prefix: str) -> Path:
    """A temporary directory the PostgreSQL user can use (short: socket paths are limited)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    if user := pg_os_user():
        shutil.chown(path, user)
    return path


def write_script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def run(command: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd="/")
    assert result.returncode == 0, f"{command[-1]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def stop_group(process: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 30) -> None:
    """Stop a process started in a session of its own, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:g}s")
