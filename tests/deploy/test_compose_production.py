"""docker-compose.production.yml over docker-compose.yml: no demo, no default secret, least-privilege accounts."""

import json
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.deploy.test_compose import COMPOSE_FILE, REPO, _bare_environment, _compose_command

PRODUCTION_FILE = REPO / "docker-compose.production.yml"
DATA_SERVICES = ("db", "users", "analytics", "cache")


def resolve(*files, **environment) -> subprocess.CompletedProcess:
    command = _compose_command()
    if command is None:
        pytest.skip("Docker Compose is not installed (pip install -r requirements-validate.txt)")
    arguments = [*command, "--project-directory", str(REPO), "--env-file", "/dev/null"]
    for file in files:
        arguments += ["--file", str(file)]
    return subprocess.run(
        [*arguments, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=_bare_environment(**environment),
        timeout=120,
        check=False,
    )


def test_the_production_overlay_requires_a_secret_key():
    result = resolve(COMPOSE_FILE, PRODUCTION_FILE)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_the_production_overlay_turns_demo_mode_off_and_seeds_nothing():
    result = resolve(COMPOSE_FILE, PRODUCTION_FILE, DJANGO_SECRET_KEY="a-real-secret-from-the-deployers-store")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in ("web", "migrate", "worker"):
        assert services[name]["environment"]["DJANGO_INSECURE_DEMO_MODE"] == "false", name
    assert "seed_demo" not in " ".join(services["migrate"]["command"])


def test_the_local_demo_says_so():
    services = json.loads(resolve(COMPOSE_FILE).stdout)["services"]
    assert services["web"]["environment"]["DJANGO_INSECURE_DEMO_MODE"] == "true"


def test_the_app_connects_as_its_own_role_not_the_superuser():
    services = json.loads(resolve(COMPOSE_FILE).stdout)["services"]
    app_env = services["web"]["environment"]
    for service, variable in zip(
        DATA_SERVICES,
        ["DATABASE_URL", "USERS_DATABASE_URL", "ANALYTICS_DATABASE_URL", "CACHE_DATABASE_URL"],
        strict=True,
    ):
        environment = services[service]["environment"]
        url = urlsplit(app_env[variable])
        assert url.username == environment["APP_DB_USER"] != environment["POSTGRES_USER"], service
        assert url.password == environment["APP_DB_PASSWORD"] != environment["POSTGRES_PASSWORD"], service
        targets = {volume["target"] for volume in services[service]["volumes"]}
        assert "/docker-entrypoint-initdb.d/05-app-role.sh" in targets, service
    legacy = urlsplit(app_env["LEGACY_DATABASE_URL"])
    assert legacy.username == services["legacy"]["environment"]["LEGACY_APP_USER"] != "root"


def test_the_second_analytics_shard_is_a_database_of_the_analytics_server_owned_by_the_app_role():
    services = json.loads(resolve(COMPOSE_FILE).stdout)["services"]
    app_env = services["web"]["environment"]
    first, second = urlsplit(app_env["ANALYTICS_DATABASE_URL"]), urlsplit(app_env["ANALYTICS_2_DATABASE_URL"])
    assert app_env["ANALYTICS_SHARDS"] == "2"
    # Same server, same account, another database: six database containers still.
    assert (second.hostname, second.port, second.username, second.password) == (
        first.hostname,
        first.port,
        first.username,
        first.password,
    )
    assert second.path != first.path
    analytics = services["analytics"]
    assert second.path.lstrip("/") in analytics["environment"]["APP_MORE_DATABASES"].split()
    assert second.username == analytics["environment"]["APP_DB_USER"]
    targets = [volume["target"] for volume in analytics["volumes"]]
    # After app-role.sh (the role must exist), which the entrypoint runs in name order.
    assert "/docker-entrypoint-initdb.d/06-more-databases.sh" in targets
    assert sorted(t for t in targets if t.startswith("/docker-entrypoint-initdb.d/"))[:2] == [
        "/docker-entrypoint-initdb.d/05-app-role.sh",
        "/docker-entrypoint-initdb.d/06-more-databases.sh",
    ]


def test_the_production_overlay_keeps_the_shard_urls():
    result = resolve(COMPOSE_FILE, PRODUCTION_FILE, DJANGO_SECRET_KEY="a-real-secret-from-the-deployers-store")
    services = json.loads(result.stdout)["services"]
    for name in ("web", "migrate", "worker"):
        environment = services[name]["environment"]
        assert environment["ANALYTICS_2_DATABASE_URL"].endswith("@analytics:5432/analytics_2"), name
        assert environment["ANALYTICS_SHARDS"] == "2", name
