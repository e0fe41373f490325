"""Sign-up, log-in and log-out: accounts on users, events on analytics."""

import pytest
from django.contrib.auth import get_user_model

from config.aliases import USERS
from tests.factories import SIGNUP_FORM, events_everywhere

pytestmark = pytest.mark.django_db(databases="__all__")

SIGNUP = SIGNUP_FORM


def test_signup_creates_the_account_records_the_event_and_logs_in(client, django_capture_on_commit_callbacks):
    # The event is delivered when the account's transaction on users commits.
    with django_capture_on_commit_callbacks(using=USERS, execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302 and response.url == "/dashboard/"
    user = get_user_model().objects.get(username="newcomer")
    assert user.email == "new@example.com" and user.check_password("a-Long-pass-123")
    assert len(events_everywhere(event_type="user_registered", user_id=user.pk)) == 1
    assert client.get("/dashboard/").status_code == 200  # the session is the new user's


def test_signup_rejects_mismatched_passwords(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "different-123"})
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert not events_everywhere()


def test_login_and_logout(client, alice):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "pass-for-tests"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_refused(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
