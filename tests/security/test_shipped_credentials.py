"""Findings 1 and 2: no credential this repository ships reaches a production process."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.dashboard import demo
from config.security.credentials import is_shipped
from tests.security.conftest import BASE_DIR, production_env, run_python

# Every file in which the repository writes a secret down.
SECRET_FILES = [".env.example", "docker-compose.yml", "scripts/devdb", "config/settings/base.py", "Dockerfile"]
# name=value, name: value, and "user:password@" in URLs, for names that hold secrets.
ASSIGNMENT = re.compile(r"(?:SECRET|PASSWORD)\w*(?:=|:-|: )[\"']?([^\"'\s}$]+)", re.IGNORECASE)
# env.string("DJANGO_SECRET_KEY", "default") in the settings.
SETTINGS_DEFAULT = re.compile(r"\(\"\w*(?:SECRET|PASSWORD)\w*\",\s*\"([^\"]+)\"")


def shipped_values() -> set[str]:
    values = set()
    for name in SECRET_FILES:
        for line in (BASE_DIR / name).read_text().splitlines():
            found = ASSIGNMENT.findall(line) + SETTINGS_DEFAULT.findall(line)
            values.update(v for v in found if len(v) >= 6 and not v.startswith(("$", "(")))
    return values


def test_every_secret_the_repository_writes_down_is_recognised():
    values = shipped_values()
    # The scan finds the known ones, so it would find a new one too.
    assert {"local-only-postgres-password", "site-local-only", "django-insecure-local-only-do-not-deploy"} <= values
    assert [value for value in values if not is_shipped(value)] == []


def test_production_refuses_to_start_with_the_compose_secret_key(tmp_path):
    result = run_python(
        ["manage.py", "check"],
        production_env(tmp_path, DJANGO_SECRET_KEY="local-only-insecure-secret-key-change-me-for-any-real-deployment"),
    )
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_a_shipped_database_password(tmp_path):
    url = "postgres://app:local-only-postgres-password@db.internal:5432/users"
    result = run_python(["manage.py", "check"], production_env(tmp_path, USERS_DATABASE_URL=url))
    assert result.returncode != 0
    assert "DATABASES['users'] password" in result.stderr
    # The gunicorn entry point imports the same settings: it cannot start either.
    wsgi = run_python(["-c", "import config.wsgi"], production_env(tmp_path, USERS_DATABASE_URL=url))
    assert wsgi.returncode != 0 and "Refusing to start" in wsgi.stderr


def test_the_deploy_check_reports_shipped_credentials_under_any_settings(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy"],
        {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DJANGO_SECRET_KEY": ""},
    )
    assert result.returncode != 0
    assert "site_security.E001" in result.stderr and "SECRET_KEY" in result.stderr
    assert "site_security.W001" in result.stderr  # development runs in demo mode


def test_check_deploy_is_clean_under_the_production_settings_the_image_runs(tmp_path):
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_seed_demo_refuses_under_production_settings_and_writes_nothing(tmp_path):
    result = run_python(["manage.py", "seed_demo"], production_env(tmp_path))
    assert result.returncode != 0 and "DJANGO_INSECURE_DEMO_MODE" in result.stderr
    assert list(tmp_path.iterdir()) == []  # it refused before opening any database


@pytest.mark.django_db(databases="__all__")
def test_credential_stuffing_with_the_demo_accounts_fails_in_production(client, in_production):
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username__in=["admin", "alice", "bob", "carol"]).exists()
    for username, password in [(demo.ADMIN_USERNAME, demo.ADMIN_PASSWORD), ("alice", demo.AUTHOR_PASSWORD)]:
        for url in ("/accounts/login/", "/admin/login/"):
            response = client.post(url, {"username": username, "password": password})
            assert "_auth_user_id" not in client.session, (url, username)
            assert response.status_code in (200, 429)


@pytest.mark.django_db(databases="__all__")
def test_demo_mode_seeds_one_staff_and_non_staff_accounts(settings):
    settings.INSECURE_DEMO_MODE = True
    demo.seed_users()
    users = get_user_model().objects.exclude(username="[deleted]")
    assert users.filter(is_staff=True).exists() and users.filter(is_staff=False).exists()
