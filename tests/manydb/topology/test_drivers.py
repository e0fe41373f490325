"""A database whose driver is not installed stops start-up with one line naming the alias."""

import subprocess
import sys
from pathlib import Path

from tests.processes import environment_without_databases

BASE_DIR = Path(__file__).resolve().parents[3]
MYSQL_URL = "mysql://legacy_app:pw@127.0.0.1:9/legacy"


def _without_mysqldb(tmp_path: Path, **env: str) -> dict:
    """An environment whose Python cannot import MySQLdb, installed or not."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['MySQLdb'] = None\n")
    # Every other alias embedded: the real topology's URLs carry devdb's
    # local-only passwords, which production settings rightly refuse first.
    return {**environment_without_databases(), "PYTHONPATH": str(tmp_path), **env}


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_manage_py_says_which_alias_needs_which_driver(tmp_path):
    env = _without_mysqldb(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.test", LEGACY_DATABASE_URL=MYSQL_URL)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert "'legacy'" in line and "pip install mysqlclient" in line, line


def test_the_wsgi_entry_point_says_the_same(tmp_path):
    env = _without_mysqldb(tmp_path, DJANGO_SECRET_KEY="x" * 60, LEGACY_DATABASE_URL=MYSQL_URL)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "pip install mysqlclient" in _one_line(result.stderr)


def test_sqlite_everywhere_needs_no_mysql_driver(tmp_path):
    legacy = f"sqlite:///{tmp_path}/legacy.sqlite3"
    env = _without_mysqldb(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.test", LEGACY_DATABASE_URL=legacy)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
