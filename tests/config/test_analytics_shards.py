"""How many analytics shards the settings configure, from ANALYTICS_SHARDS or the URLs set,
and the refusal that names the variable a server deployment is missing."""

import json
import subprocess

from tests.processes import environment_without_databases, run_python

PRINT = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'routes': settings.MANYDB['ROUTES']['analytics'], "
    "'engines': {a: settings.DATABASES[a]['ENGINE'].rsplit('.', 1)[1] for a in settings.DATABASES}}))"
)
SERVER = "postgres://app:secret@db.example.com:5432/{name}"


def settings_with(**env) -> subprocess.CompletedProcess:
    """The development settings a fresh process builds from ``env`` and no database setting of ours."""
    return run_python(
        ["-c", PRINT], {**environment_without_databases(), **env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    )


def shards(**env) -> tuple[list[str], dict]:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    return answer["routes"], answer["engines"]


def test_embedded_default_is_two_sqlite_shards():
    routes, engines = shards()
    assert routes == ["analytics", "analytics_2"]
    assert engines["analytics"] == engines["analytics_2"] == "sqlite3"


def test_a_single_analytics_url_still_means_one_shard():
    routes, engines = shards(ANALYTICS_DATABASE_URL=SERVER.format(name="site_analytics"))
    assert routes == ["analytics"] and "analytics_2" not in engines


def test_the_shard_urls_set_count_the_shards():
    routes, engines = shards(
        ANALYTICS_DATABASE_URL=SERVER.format(name="a1"),
        ANALYTICS_2_DATABASE_URL=SERVER.format(name="a2"),
        ANALYTICS_3_DATABASE_URL=SERVER.format(name="a3"),
    )
    assert routes == ["analytics", "analytics_2", "analytics_3"]
    assert {engines[alias] for alias in routes} == {"postgresql"}


def test_analytics_shards_decides_when_set():
    routes, engines = shards(ANALYTICS_SHARDS="3")
    assert routes == ["analytics", "analytics_2", "analytics_3"] and engines["analytics_3"] == "sqlite3"
    routes, _ = shards(
        ANALYTICS_SHARDS="1",
        ANALYTICS_DATABASE_URL=SERVER.format(name="a1"),
        ANALYTICS_2_DATABASE_URL=SERVER.format(name="a2"),
    )
    assert routes == ["analytics"]


def test_a_server_deployment_missing_a_shard_url_is_refused_naming_it():
    result = settings_with(ANALYTICS_SHARDS="2", ANALYTICS_DATABASE_URL=SERVER.format(name="a1"))
    assert result.returncode != 0
    assert (
        "ANALYTICS_SHARDS=2 asks for the shard 'analytics_2', but ANALYTICS_2_DATABASE_URL is not set" in result.stderr
    )


def test_a_shard_count_below_one_is_refused():
    result = settings_with(ANALYTICS_SHARDS="0")
    assert result.returncode != 0 and "ANALYTICS_SHARDS must be at least 1, not 0" in result.stderr
