"""Static checks of what the containers run: images, signals, health probe timing, line endings.

Each guards a failure that only shows on a Docker engine: a first `up` that
tries to pull this project's own image from a registry, a `down` that waits
for a worker to be killed, a web container marked unhealthy while /health/ is
still answering, init scripts with CRLF line endings from a Windows checkout.
"""

import re
import subprocess
from pathlib import Path

import pytest

from config.healthcheck import probe_timeout
from tests.deploy.test_compose import compose  # noqa: F401  (the resolved compose file)

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"


def _seconds(value) -> float:
    """A Compose or Dockerfile duration ("12s", "1m30s", or nanoseconds as Compose's JSON has it)."""
    if isinstance(value, int | float):
        return value / 1e9
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[unit] for n, unit in re.findall(r"([\d.]+)(ms|h|m|s)", value))


def test_images_built_here_are_never_pulled(compose):  # noqa: F811
    services = compose["services"]
    built = {service["image"] for service in services.values() if service.get("build") and service.get("image")}
    assert built, "no service builds an image"
    for name, service in services.items():
        if service.get("image") in built:
            # Compose's default (pull if missing) asks a registry for the tag first.
            assert service.get("pull_policy") == "build", f"{name} would try to pull {service['image']}"


def test_the_worker_has_an_init_that_forwards_sigterm(compose):  # noqa: F811
    # deliver_outbox --loop handles SIGTERM itself (tests/manydb/management);
    # init: true also reaps children and covers a process that does not.
    assert compose["services"]["worker"].get("init") is True


def test_the_web_health_probe_outwaits_a_database_connect_timeout(compose):  # noqa: F811
    web = compose["services"]["web"]
    connect_timeout = float(web["environment"]["DB_CONNECT_TIMEOUT"])
    probe = probe_timeout({"DB_CONNECT_TIMEOUT": web["environment"]["DB_CONNECT_TIMEOUT"]})
    match = re.search(r"^HEALTHCHECK\b.*--timeout=(\S+)", DOCKERFILE.read_text(), re.MULTILINE)
    assert match, "the Dockerfile has no HEALTHCHECK --timeout"
    docker_timeout = _seconds(match.group(1))
    override = web.get("healthcheck", {}).get("timeout")
    if override is not None:
        docker_timeout = _seconds(override)
    # /health/ answers after at most connect_timeout on a dead database; the
    # probe must still be waiting then, and Docker must still be waiting for the probe.
    assert connect_timeout < probe < docker_timeout, (connect_timeout, probe, docker_timeout)


def _executed_in_containers_or_shells() -> list[str]:
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "docker", "scripts", ".ci", "*.sh"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(set(tracked) | {"Dockerfile", "apps/legacy/sql/schema.mysql.sql"})


def test_scripts_keep_lf_line_endings_in_every_checkout():
    if subprocess.run(["git", "rev-parse"], cwd=REPO, capture_output=True).returncode:
        pytest.skip("not a git checkout: .gitattributes does not apply")
    files = _executed_in_containers_or_shells()
    assert "docker/postgres/primary-init.sh" in files
    attributes = subprocess.run(
        ["git", "check-attr", "eol", "--", *files], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    not_lf = [line for line in attributes if not line.endswith(": eol: lf")]
    assert not not_lf, f"no eol=lf in .gitattributes for: {not_lf}"
    with_cr = [name for name in files if b"\r" in (REPO / name).read_bytes()]
    assert not with_cr, f"CRLF in: {with_cr}"
