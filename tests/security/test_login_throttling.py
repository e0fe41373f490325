"""Finding 3: brute force against the site login and /admin/login/, and against many accounts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db import connections
from django.utils import timezone

from config.aliases import DEFAULT, USERS
from tests.factories import user_create
from tests.security.conftest import ATTACKER

pytestmark = pytest.mark.django_db(databases="__all__")

RIGHT = "the-right-password-42"
LOGIN_URLS = ["/accounts/login/", "/admin/login/"]


def attempt(client, url, username, password, address=ATTACKER):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in(client, settings, url):
    user_create(username="alice", password=RIGHT, is_staff=True)
    statuses = [attempt(client, url, "alice", f"guess-{n}").status_code for n in range(50)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
    response = attempt(client, url, "alice", RIGHT)
    assert response.status_code == 429 and not logged_in(client)
    assert "Too many failed log-ins" in response.content.decode()  # the message says what happened


def test_the_account_is_locked_from_every_address(client, settings):
    user_create(username="alice", password=RIGHT)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", "alice", "wrong", address=f"198.51.100.{n}")
    assert attempt(client, "/accounts/login/", "alice", RIGHT, address="192.0.2.1").status_code == 429
    assert not logged_in(client)


def test_an_address_guessing_many_accounts_is_locked_out(client, settings):
    user_create(username="zed", password=RIGHT)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", f"user{n}", "password1")
    assert attempt(client, "/accounts/login/", "zed", RIGHT).status_code == 429
    assert not logged_in(client)
    # Another address, the same account: not this address's lock.
    assert attempt(client, "/accounts/login/", "zed", RIGHT, address="192.0.2.7").status_code == 302


def test_the_lock_out_expires(client, settings):
    user_create(username="alice", password=RIGHT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", "alice", "wrong")
    assert attempt(client, "/accounts/login/", "alice", RIGHT).status_code == 429
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert attempt(client, "/accounts/login/", "alice", RIGHT).status_code == 302
    assert logged_in(client)


def test_failures_are_recorded_on_the_users_database_only(client):
    attempt(client, "/accounts/login/", "nobody", "wrong")
    assert AccessAttempt.objects.using(USERS).filter(username="nobody").count() == 1
    with connections[DEFAULT].cursor() as cursor:
        tables = connections[DEFAULT].introspection.table_names(cursor)
    assert "axes_accessattempt" not in tables
