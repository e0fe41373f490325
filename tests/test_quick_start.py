"""The README's quick start, on a fresh copy of the project: `make run` with nothing but Python.

A copy of the checkout (no .venv, no var/) runs `make run` with pip forbidden
to build anything from source (PIP_ONLY_BINARY=:all:, so neither a compiler
nor MySQL headers could be used even where they exist) and without a pip
cache (PIP_NO_CACHE_DIR=1), and with none of the caller's database URLs or
settings. It must create .venv, install, migrate, seed, say so step by step,
print the address and the demo logins, and serve the site.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    "==> creating the virtual environment .venv",
    "==> installing requirements-dev.txt",
    "==> migrating every database",
    "==> loading the demo data",
    "demo logins (local only):",
    "==> serving the site at http://127.0.0.1:{port}/",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bare_environment() -> dict[str, str]:
    """PATH without this suite's .venv, the machine's pip configuration, nothing of the project's."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if p != venv_bin)
    env = {name: value for name, value in os.environ.items() if name.startswith("PIP_")}
    env.update(PATH=path, HOME=os.environ.get("HOME", "/tmp"), LANG="C.UTF-8")
    env.update(PIP_NO_CACHE_DIR="1", PIP_ONLY_BINARY=":all:", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if listed.returncode:
        shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__"))
        return
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def index_reachable(tmp_path_factory):
    if "DEVDB_PG_ADMIN_URL" in os.environ:
        pytest.skip("the quick start is the embedded topology's: `make test` runs it, `make test-real` need not")
    if not shutil.which("make"):
        pytest.skip("`make` is not installed")
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp_path_factory.mktemp("w"))]
        + ["dj-database-url==3.1.2"],
        env=_bare_environment(),
        capture_output=True,
        timeout=120,
    )
    if probe.returncode:
        pytest.skip("the package index (PyPI or the one pip is configured with) is unreachable")


def test_make_run_serves_the_seeded_site_from_wheels_alone(index_reachable, tmp_path):
    site = tmp_path / "site"
    _copy_checkout(site)
    port = _free_port()
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=site,
        env=_bare_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                pytest.fail("make run ended:\n" + "".join(output))
            output.append(line)
            if "==> serving the site at" in line:
                break
        page = _get_when_up(f"http://127.0.0.1:{port}/", server, output)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    text = "".join(output)
    positions = [text.find(step.format(port=port)) for step in STEPS]
    assert -1 not in positions and positions == sorted(positions), text
    assert re.search(r"^  alice / demo-password ", text, re.MULTILINE), text
    assert "Error" not in text and "Traceback" not in text, text
    assert "Routing reads to a replica" in page  # a seeded post on the home page


def _get_when_up(url: str, server: subprocess.Popen, output: list[str]) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the site never answered:\n" + "".join(output)) from None
            time.sleep(0.5)
