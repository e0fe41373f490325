"""Finding 10 (and 3): sign-up refuses weak passwords, look-alike names and floods; nothing is written."""

import itertools
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.test import Client

from tests.factories import user_create
from tests.security.conftest import ATTACKER

User = get_user_model()


_addresses = itertools.count(1)


def signup(client, username, password, address=ATTACKER, email=None):
    email = email or f"person{next(_addresses)}@example.com"  # each sign-up its own address
    data = {"username": username, "email": email, "password1": password, "password2": password}
    return client.post("/accounts/signup/", data, REMOTE_ADDR=address)


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("spaces", " " * 12, "password2"),
        ("alicealice", "alicealicealice", "password2"),
        ("alice", "alicealice", "password2"),
        ("\u0430lice", "a-Long-pass-123", "username"),  # Cyrillic а, then Latin "lice"
        ("ǅemo", "a-Long-pass-123", "username"),
        ("x" * 151, "a-Long-pass-123", "username"),
    ],
)
def test_refused_sign_ups_write_nothing(client, username, password, field):
    before = User.objects.count()
    response = signup(client, username, password)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert User.objects.count() == before


@pytest.mark.django_db(databases="__all__")
def test_a_name_differing_only_in_case_is_taken(client):
    user_create(username="alice")
    response = signup(client, "Alice", "a-Long-pass-123")
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(username="Alice").exists()


@pytest.mark.django_db(databases="__all__")
def test_sign_ups_from_one_address_are_rate_limited(client, settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    limit = int(settings.SIGNUP_RATE.split("/")[0])
    for n in range(limit):
        assert signup(Client(), f"person{n}", "a-Long-pass-123").status_code == 302
    response = signup(Client(), "one-too-many", "a-Long-pass-123")
    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert not User.objects.filter(username="one-too-many").exists()
    # Another address is counted apart.
    assert signup(Client(), "elsewhere", "a-Long-pass-123", address="192.0.2.44").status_code == 302


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_concurrent_duplicate_sign_ups_make_one_account(django_user_model):
    start = threading.Barrier(4)
    statuses = []

    def sign_up():
        try:
            start.wait()
            statuses.append(signup(Client(), "twin", "a-Long-pass-123").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert django_user_model.objects.filter(username="twin").count() == 1
    assert sorted(statuses) == [200, 200, 200, 302]  # one account; the others told the name is taken
