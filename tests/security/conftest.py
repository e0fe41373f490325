"""Helpers for the attack tests: a production process, the demo accounts, a second address."""

import secrets
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, environment_without_databases, run_python

__all__ = ["BASE_DIR", "production_env", "run_python"]
ATTACKER = "203.0.113.66"  # TEST-NET-3: an address no proxy of ours has


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production process with secrets nobody has seen, SQLite under tmp_path."""
    environment = environment_without_databases(drop_prefixes=("DJANGO_",))
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="site.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path}/default.sqlite3",
        USERS_DATABASE_URL=f"sqlite:///{tmp_path}/users.sqlite3",
        ANALYTICS_DATABASE_URL=f"sqlite:///{tmp_path}/analytics.sqlite3",
        CACHE_DATABASE_URL=f"sqlite:///{tmp_path}/cache.sqlite3",
        LEGACY_DATABASE_URL=f"sqlite:///{tmp_path}/legacy.sqlite3",
    )
    environment.update(overrides)
    return environment


@pytest.fixture
def in_production(settings):
    """This process's settings as production has them where they matter to an attacker."""
    settings.INSECURE_DEMO_MODE = False
    settings.DEBUG = False
    return settings
