"""MANYDB_RESHARDING: the new shards are configured but not routed to, and what it needs is named."""

import json
import subprocess

from tests.processes import environment_without_databases, run_python

PRINT = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'routes': settings.MANYDB['ROUTES']['analytics'], "
    "'resharding': settings.MANYDB['RESHARDING'], 'aliases': sorted(settings.DATABASES)}))"
)
SERVER = "postgres://app:secret@db.example.com:5432/{name}"


def settings_with(**env) -> subprocess.CompletedProcess:
    """The development settings a fresh process builds from ``env`` and no database setting of ours."""
    return run_python(
        ["-c", PRINT], {**environment_without_databases(), **env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    )


def test_the_new_shard_is_configured_while_the_site_keeps_its_count():
    result = settings_with(ANALYTICS_SHARDS="2", MANYDB_RESHARDING="analytics=3")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["routes"] == ["analytics", "analytics_2"]
    assert answer["resharding"] == {"analytics": 3}
    assert "analytics_3" in answer["aliases"]


def test_without_the_state_there_is_no_third_alias():
    answer = json.loads(settings_with(ANALYTICS_SHARDS="2").stdout)
    assert answer["resharding"] == {} and "analytics_3" not in answer["aliases"]


def test_the_current_count_must_be_explicit():
    result = settings_with(MANYDB_RESHARDING="analytics=3")
    assert result.returncode != 0
    assert "MANYDB_RESHARDING names analytics: set ANALYTICS_SHARDS" in result.stderr


def test_a_server_deployment_names_the_missing_url():
    result = settings_with(
        ANALYTICS_DATABASE_URL=SERVER.format(name="a1"),
        ANALYTICS_2_DATABASE_URL=SERVER.format(name="a2"),
        ANALYTICS_SHARDS="2",
        MANYDB_RESHARDING="analytics=3",
    )
    assert result.returncode != 0
    assert "MANYDB_RESHARDING=analytics=3 needs the shard 'analytics_3': set ANALYTICS_3_DATABASE_URL." in result.stderr


def test_an_app_that_is_not_sharded_or_a_bad_count_is_refused():
    result = settings_with(ANALYTICS_SHARDS="2", MANYDB_RESHARDING="blog=2")
    assert "MANYDB_RESHARDING names 'blog', which ROUTES does not shard." in result.stderr
    result = settings_with(ANALYTICS_SHARDS="2", MANYDB_RESHARDING="analytics=three")
    assert "needs a shard count of at least 1, not 'three'" in result.stderr
