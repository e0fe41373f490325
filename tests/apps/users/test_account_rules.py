"""Account rules: one account per e-mail address whatever its case, messages
for each step, log-out from a link or a typed URL, and log-ins recorded."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from apps.users.services import AccountTaken, user_register
from config.aliases import USERS
from tests.factories import SIGNUP_FORM, events_everywhere, user_create

pytestmark = pytest.mark.django_db(databases="__all__")
User = get_user_model()


def test_signup_refuses_an_address_in_use_in_any_case(client, alice):
    response = client.post("/accounts/signup/", {**SIGNUP_FORM, "email": "ALICE@Example.COM"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["An account with this e-mail address already exists."]
    assert not User.objects.filter(username="newcomer").exists()


def test_the_database_refuses_an_address_in_use_in_any_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic(using=USERS):
        User.objects.create(username="alice2", email="Alice@example.com")


def test_accounts_without_an_address_do_not_collide(alice):
    user_create(username="no-mail-1", email="")
    user_create(username="no-mail-2", email="")
    assert User.objects.filter(email="").count() >= 2  # and the "[deleted]" account


def test_the_service_turns_a_lost_race_into_account_taken(alice):
    # The form's checks passed for both; the database decides, the loser is told why.
    with pytest.raises(AccountTaken) as taken:
        user_register(username="alice", email="other@example.com", password="a-Long-pass-123")
    assert taken.value.field == "username"
    with pytest.raises(AccountTaken) as taken:
        user_register(username="alice-two", email="ALICE@example.com", password="a-Long-pass-123")
    assert taken.value.field == "email"


def test_signup_welcomes_the_new_account(client):
    response = client.post("/accounts/signup/", SIGNUP_FORM, follow=True)
    assert "Welcome, newcomer: your account is ready" in response.content.decode()


def test_login_is_confirmed_and_recorded_on_the_users_outbox(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(using=USERS, execute=True):
        response = client.post("/accounts/login/", {"username": "alice", "password": "pass-for-tests"}, follow=True)
    assert "You are logged in as alice." in response.content.decode()
    [event] = events_everywhere(event_type="login")
    assert event.user_id == alice.pk and event.path == "/accounts/login/"


def test_a_failed_login_records_nothing(client, alice):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert not events_everywhere(event_type="login")


def test_a_protected_page_says_why_it_asks_for_a_log_in(client):
    for url, reason in [
        ("/blog/new/", "write a post"),
        ("/dashboard/", "see your dashboard"),
        ("/blog/mine/", "see your posts"),
    ]:
        response = client.get(url, follow=True)
        assert f"Please log in to {reason}." in response.content.decode(), url
    plain = client.get("/accounts/login/")
    assert "Please log in" not in plain.content.decode()


def test_logout_by_typed_url_asks_before_logging_out(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/logout/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'method="post" action="/accounts/logout/"' in html and "Log out</button>" in html
    assert client.get("/dashboard/").status_code == 200  # a GET logs nobody out
    response = client.post("/accounts/logout/", follow=True)
    assert "You are logged out." in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_logout_page_for_someone_not_logged_in(client):
    response = client.get("/accounts/logout/")
    assert response.status_code == 200 and "You are not logged in." in response.content.decode()
