"""Helpers for the attack tests: a production process, the demo accounts, a second address."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
ATTACKER = "203.0.113.66"  # TEST-NET-3: an address no proxy of ours has


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production process with secrets nobody has seen, SQLite under tmp_path."""
    # None of the caller's database URLs (a devdb run exports every alias's,
    # shards included, with passwords that ship with this repository).
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and not k.endswith("DATABASE_URL") and k != "ANALYTICS_SHARDS"
    }
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


def run_python(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def in_production(settings):
    """This process's settings as production has them where they matter to an attacker."""
    settings.INSECURE_DEMO_MODE = False
    settings.DEBUG = False
    return settings
