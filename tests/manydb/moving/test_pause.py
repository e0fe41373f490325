"""MANYDB["MOVING"]: an app's writes answer 503 "being moved"; its reads and other apps carry on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

from apps.legacy.models import Customer
from apps.users.models import User
from manydb.moving.pause import AppBeingMoved, paused_app

BASE_DIR = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SIGNUP = {"username": "ada", "email": "ada@example.com", "password1": "a-long-pass-123", "password2": "a-long-pass-123"}


@pytest.fixture
def moving(settings):
    def pause(*labels):
        settings.MANYDB = {**settings.MANYDB, "MOVING": list(labels)}

    return pause


def test_a_write_to_a_moving_app_fails_before_it_runs(moving):
    User.objects.create_user("before", password="x")
    moving("users", "auth", "sessions")
    with pytest.raises(AppBeingMoved, match="'users' is being moved"):
        User.objects.create_user("during", password="x")
    with pytest.raises(AppBeingMoved):
        User.objects.filter(username="before").update(first_name="Changed")
    with pytest.raises(AppBeingMoved):
        with connections[User.objects.db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {User._meta.db_table}")
    assert User.objects.get(username="before").first_name == ""  # reads carry on


def test_other_apps_and_reads_are_not_paused(moving):
    moving("users")
    assert paused_app('SELECT * FROM "users_user"', "users") is None
    assert paused_app('INSERT INTO "blog_post" ("title") VALUES (%s)', "default") is None
    assert paused_app('UPDATE "users_user" SET "first_name" = %s', "users") == "users"
    assert paused_app("DELETE FROM `users_user_groups` WHERE 1", "users") == "users"
    # The new home is not paused: the move writes there.
    assert paused_app('INSERT INTO "users_user" ("id") VALUES (%s)', "default") is None
    assert Customer.objects.count() > 0


def test_the_visitor_gets_a_being_moved_page(client, moving):
    moving("users", "auth", "sessions", "contenttypes", "admin")
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 503
    assert "being moved" in response.content.decode()
    assert response["Retry-After"] == "120"
    assert not User.objects.filter(username="ada").exists()
    assert client.get("/accounts/login/").status_code == 200  # pages that only read still work


def test_routes_and_pauses_come_from_the_environment():
    code = "import config.settings.base as s; print(s.MANYDB['ROUTES']['legacy'], s.MANYDB['MOVING'])"
    env = {**os.environ, "MANYDB_ROUTES": "legacy=default, blog=analytics", "MANYDB_MOVING": "legacy"}
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["default", "['legacy']"], result.stderr
    env["MANYDB_ROUTES"] = "legacy"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert "MANYDB_ROUTES must be a list of key=value pairs" in result.stderr
