"""Findings 9 and the audit's hold-ups: forged proxy headers, tampered cookies, oversized and malformed input."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apps.blog.models import Comment, Post
from config.security.proxy import client_ip
from tests.factories import post_create, user_create
from tests.security.conftest import ATTACKER

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def https_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    return settings


def test_a_forged_forwarded_proto_from_anyone_is_ignored(client, https_only):
    response = client.get("/blog/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 301 and response.url.startswith("https://")  # still plain http to us


def test_the_configured_proxy_is_believed(client, https_only):
    response = client.get("/blog/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200


def test_a_forged_forwarded_for_does_not_change_the_address_counted(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    direct = rf.get("/", HTTP_X_FORWARDED_FOR="192.0.2.1", REMOTE_ADDR=ATTACKER)
    assert client_ip(direct) == ATTACKER
    # Through our proxy, the client's own claim (leftmost) proves nothing: the proxy's entry counts.
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}", REMOTE_ADDR="10.0.0.2")
    assert client_ip(proxied) == ATTACKER


def test_rotating_forwarded_for_does_not_escape_the_login_lock_out(client, settings):
    settings.TRUSTED_PROXIES = []
    user_create(username="alice", password="right-password-1")
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        client.post(
            "/accounts/login/",
            {"username": f"u{n}", "password": "x"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "right-password-1"}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "cookies",
    [
        {"sessionid": "forged-session-key"},
        {"sessionid": "x" * 5000},
        {"manydb_rw": "forged:token:value"},
        {"manydb_rw": "9" * 4000},
        {"csrftoken": "forged"},
    ],
)
def test_tampered_cookies_are_ignored(cookies):
    client = Client()
    client.cookies.load(cookies)
    response = client.get("/blog/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous


def test_a_post_with_a_tampered_csrf_cookie_writes_nothing():
    alice = user_create(username="alice")
    post = post_create(author=alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies.load({"csrftoken": "A" * 32})
    response = client.post(post.get_absolute_url(), {"body": "forged", "csrfmiddlewaretoken": "B" * 32})
    assert response.status_code == 403
    assert not Comment.objects.filter(body="forged").exists()


@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=abc", "page=" + "9" * 400, "q=" + "x" * 20000, "q=%00%ff", "page=1e9&q=%27--", "q[]=1&q[]=2"],
)
def test_malformed_and_oversized_query_parameters_answer_a_page(query, client, settings):
    from tests.factories import user_with_permissions

    client.force_login(user_with_permissions("legacy.view_customer", "legacy.view_order"))
    for path in ("/blog/", "/legacy/customers/", "/health/"):
        assert client.get(f"{path}?{query}").status_code in (200, 503), (path, query)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "u" * 10_000),
        ("email", "e" * 10_000 + "@example.com"),
        ("password1", "p" * 100_000),
        ("email", "not-an-address"),
    ],
)
def test_oversized_and_malformed_sign_up_fields_write_nothing(client, field, value):
    data = {
        "username": "sized",
        "email": "s@example.com",
        "password1": "a-Long-pass-123",
        "password2": "a-Long-pass-123",
    }
    data[field] = value
    if field == "password1":
        data["password2"] = value
    before = get_user_model().objects.count()
    response = client.post("/accounts/signup/", data)
    assert response.status_code in (200, 400)
    assert get_user_model().objects.count() == before


def test_oversized_post_forms_write_nothing(settings):
    alice = user_create(username="alice")
    post = post_create(author=alice)
    client = Client()
    client.force_login(alice)
    huge = "w" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert client.post(post.get_absolute_url(), {"body": huge}).status_code == 400
    assert client.post("/blog/new/", {"title": "t" * 10_000, "body": "b", "publish": "on"}).status_code == 200
    assert client.post("/blog/new/", {"title": "Fine", "body": huge}).status_code == 400
    assert not Comment.objects.exists() and Post.objects.count() == 1
    assert client.post("/accounts/login/", {"username": "u" * 100_000, "password": "x"}).status_code == 200
