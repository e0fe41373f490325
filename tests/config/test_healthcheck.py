"""The container's health check, run as the Dockerfile runs it, against a live server."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def healthcheck(live_server, allowed_hosts: str) -> subprocess.CompletedProcess:
    port = str(urlsplit(live_server.url).port)
    env = {**os.environ, "PORT": port, "DJANGO_ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, "-m", "config.healthcheck"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_healthy_site_passes_as_its_first_allowed_host(live_server, settings):
    settings.ALLOWED_HOSTS = ["blog.example.com"]  # 127.0.0.1 is not allowed
    result = healthcheck(live_server, ".blog.example.com,www.example.com")
    assert result.returncode == 0, result.stderr


def test_a_host_django_refuses_fails_the_check(live_server, settings):
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    result = healthcheck(live_server, "intruder.example.net")
    assert result.returncode == 1
    assert "400" in result.stderr


def test_a_critical_database_down_fails_the_check(live_server, settings, database_down):
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    with database_down("users"):
        result = healthcheck(live_server, "blog.example.com")
    assert result.returncode == 1
    assert "503" in result.stderr
