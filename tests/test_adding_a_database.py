"""Adding a 7th database the way the README's "Adding a database" says, and nothing more.

A copy of the project's settings package gets the README's edits (an alias
constant, one route) and a throwaway app, then a fresh embedded topology is
migrated, health-checked and shown on the dashboard, in a subprocess that
sees the copy instead of config/.
"""

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.processes import environment_without_databases

REPO = Path(__file__).resolve().parents[1]

SEARCH_APP = {
    "__init__.py": "",
    "apps.py": """
        from django.apps import AppConfig


        class SearchConfig(AppConfig):
            name = "searchapp"
            label = "search"
            default_auto_field = "django.db.models.BigAutoField"
    """,
    "models.py": """
        from django.db import models


        class Document(models.Model):
            title = models.CharField(max_length=100)
    """,
    "migrations/__init__.py": "",
    "migrations/0001_initial.py": """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Document",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                        ("title", models.CharField(max_length=100)),
                    ],
                ),
            ]
    """,
}

# What the subprocess does once migrated: the health report and the dashboard, as a staff user sees them.
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.contrib.auth import get_user_model
staff = get_user_model().objects.create_user("staffer", password="x-Long-pass-123", is_staff=True)
client = Client(HTTP_HOST="localhost")
client.force_login(staff)
health = client.get("/health/")
dashboard = client.get("/dashboard/")
print(json.dumps({"health": health.json(), "dashboard_status": dashboard.status_code,
                  "dashboard": dashboard.content.decode()}))
"""


def edit(path: Path, anchor: str, addition: str) -> None:
    text = path.read_text()
    assert anchor in text, f"{path.name} no longer has {anchor!r}: update the README's steps and this test"
    path.write_text(text.replace(anchor, anchor + addition, 1))


@pytest.fixture
def project_with_search(tmp_path):
    """tmp_path/config: the project's settings with the README's two edits; tmp_path/searchapp."""
    shutil.copytree(REPO / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "manage.py", tmp_path / "manage.py")
    for shared in ("templates", "static"):  # settings find them beside config/
        (tmp_path / shared).symlink_to(REPO / shared)
    for name, source in SEARCH_APP.items():
        (tmp_path / "searchapp" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "searchapp" / name).write_text(textwrap.dedent(source).lstrip())
    # Step 1: the alias constant. Step 2: its route (and the app itself in INSTALLED_APPS).
    edit(tmp_path / "config" / "aliases.py", '\nDEFAULT = "default"', '\nSEARCH = "search"')
    base = tmp_path / "config" / "settings" / "base.py"
    edit(base, "from config.aliases import ", "SEARCH, ")
    edit(base, "ROUTES = {\n", '    "search": SEARCH,\n')
    edit(base, "PROJECT_APPS = [\n", '    "searchapp",\n')
    env = {**environment_without_databases(), "DJANGO_SETTINGS_MODULE": "config.settings.base", "PYTHONPATH": str(REPO)}
    return tmp_path, env


def run(cwd: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_a_seventh_database_is_migrated_health_checked_and_shown(project_with_search):
    root, env = project_with_search
    migrated = run(root, env, "manage.py", "migrate_all").stdout
    assert "search       applied 1 migrations (search)" in migrated, migrated
    with sqlite3.connect(root / "var" / "db" / "search.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'search_document'").fetchone()
    with sqlite3.connect(root / "var" / "db" / "default.sqlite3") as db:
        assert not db.execute("SELECT name FROM sqlite_master WHERE name = 'search_document'").fetchone()

    seen = json.loads(run(root, env, "-c", PROBE).stdout.splitlines()[-1])
    assert seen["health"]["databases"]["search"]["ok"] is True
    assert seen["dashboard_status"] == 200
