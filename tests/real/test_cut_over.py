"""The two cut-overs the README walks through, end to end, each phase a process of its own.

1. Retiring the legacy MySQL schema into PostgreSQL: a first pass while the
   old system still writes, a final pass that catches up, the route switched
   from the environment, and the pages served with MariaDB out of reach.
2. Moving users (with auth, contenttypes, sessions and admin) from the
   embedded SQLite file to PostgreSQL: writes paused ("being moved"), the
   move, the routes switched, and a visitor logging in on the new home.
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg.sql
import pytest
from django.db import connections

from apps.legacy.models import Customer
from tests.manydb.moving.support import add_customers, forget_moves, process_environment

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
UNREACHABLE_MYSQL = "mysql://nobody:nothing@127.0.0.1:9/legacy"  # port 9: nothing listens
USER_APPS = ["users", "auth", "contenttypes", "sessions", "admin"]

# Run inside the site's process: a visitor's request through the whole middleware stack.
VISIT = """
import os, sys, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
if os.environ.get("VISIT_AS_SUPERUSER"):  # legacy customers are for users with the view permission
    from django.contrib.auth import get_user_model
    viewer, _ = get_user_model().objects.get_or_create(
        username="cut-over-viewer", defaults={"is_staff": True, "is_superuser": True, "email": "viewer@example.com"}
    )
    client.force_login(viewer)
method, path, *form = sys.argv[1:]
data = dict(pair.split("=", 1) for pair in form)
response = client.post(path, data) if method == "POST" else client.get(path)
print(response.status_code)
print(response.content.decode())
"""


def manage(env, *args) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def visit(env, method, path, **form) -> tuple[int, str]:
    pairs = [f"{key}={value}" for key, value in form.items()]
    result = subprocess.run(
        [sys.executable, "-c", VISIT, method, path, *pairs], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.partition("\n")
    return int(status), body


def test_retiring_the_legacy_mysql_schema_into_postgresql():
    env = process_environment()
    try:
        manage(env, "move_data", "legacy", "--from", "legacy", "--to", "default")
        add_customers(3)  # the old system keeps writing during the first pass
        newest = Customer.objects.using("legacy").order_by("-pk").first()
        final = manage(env, "move_data", "legacy", "--from", "legacy", "--to", "default")
        assert "legacy.Customer: 3 row(s) copied" in final.stdout
        assert "legacy -> default verified" in final.stdout

        # The route switched from the environment; MariaDB out of reach: every row comes from PostgreSQL.
        after = {**env, "MANYDB_ROUTES": "legacy=default", "LEGACY_DATABASE_URL": UNREACHABLE_MYSQL}
        after["VISIT_AS_SUPERUSER"] = "1"
        status, body = visit(after, "GET", "/legacy/customers/")
        assert status == 200, body
        status, body = visit(after, "GET", f"/legacy/customers/{newest.pk}/")
        assert status == 200 and newest.name in body
        # Before the switch, the same unreachable MariaDB shows the "unavailable" page: the proof holds.
        before = {**env, "LEGACY_DATABASE_URL": UNREACHABLE_MYSQL, "VISIT_AS_SUPERUSER": "1"}
        status, _ = visit(before, "GET", f"/legacy/customers/{newest.pk}/")
        assert status == 503
    finally:
        forget_moves()


@pytest.fixture
def outgrown(tmp_path):
    """A site whose default database is PostgreSQL (a new, empty one) and whose users live in an SQLite file."""
    name = f"test_cut_over_{tmp_path.name[-12:].replace('-', '_')}".lower()
    admin = connections["default"].settings_dict
    with psycopg.connect(
        host=admin["HOST"], port=admin["PORT"], user=admin["USER"], password=admin["PASSWORD"], dbname=admin["NAME"],
        autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
        try:
            users_file = tmp_path / "users.sqlite3"
            url = f"postgres://{admin['USER']}:{admin['PASSWORD']}@{admin['HOST']}:{admin['PORT']}/{name}"
            env = process_environment(DATABASE_URL=url, USERS_DATABASE_URL=f"sqlite:///{users_file}")
            manage(env, "migrate", "--database", "default")
            manage(env, "migrate", "--database", "users")
            yield env, users_file
        finally:
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
            )


def test_moving_users_from_the_embedded_file_to_postgresql(outgrown):
    env, users_file = outgrown
    create = "from apps.users.models import User; User.objects.create_user('ada', password='a-long-pass-123')"
    manage(env, "shell", "-c", create)

    # 1. Writes paused: logging in writes a session and last_login, so it answers "being moved".
    paused = {**env, "MANYDB_MOVING": ",".join(USER_APPS)}
    status, body = visit(paused, "POST", "/accounts/login/", username="ada", password="a-long-pass-123")
    assert status == 503 and "being moved" in body
    status, _ = visit(paused, "GET", "/accounts/login/")
    assert status == 200  # reading pages still work

    # 2. The move, while paused; exit 0 only once verified.
    moved = manage(paused, "move_data", *USER_APPS, "--from", "users", "--to", "default")
    assert "users.User: verified" in moved.stdout and "-> default verified" in moved.stdout

    # 3. The routes switched from the environment, the pause lifted. The old file loses its accounts,
    #    so a successful log-in can only come from PostgreSQL.
    with sqlite3.connect(users_file) as db:
        db.execute("DELETE FROM users_user")
    after = {**env, "MANYDB_ROUTES": ",".join(f"{label}=default" for label in USER_APPS)}
    status, body = visit(after, "POST", "/accounts/login/", username="ada", password="a-long-pass-123")
    assert status == 302, body
    status, _ = visit(after, "POST", "/accounts/login/", username="ada", password="wrong-password")
    assert status == 200  # the form again: the password is checked against the moved row
    # The sequence is past the moved ids: a new account gets a fresh one.
    new = manage(after, "shell", "-c", "from apps.users.models import User; print(User.objects.create_user('bob').pk)")
    highest = manage(
        after, "shell", "-c", "from apps.users.models import User; print(User.objects.get(username='ada').pk)"
    )
    assert int(new.stdout.split()[-1]) > int(highest.stdout.split()[-1])
