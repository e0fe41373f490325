"""Findings 7 and 8: response headers, and cookies that never travel in clear under production settings."""

import re

import pytest
from django.test import Client

from apps.blog.models import Post
from tests.factories import post_create, user_create
from tests.security.conftest import production_env, run_python

pytestmark = pytest.mark.django_db(databases="__all__")

PAGES = ["/", "/blog/", "/accounts/login/", "/accounts/signup/", "/admin/login/"]
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script element with a body
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick= and friends
]


def test_every_page_carries_a_strict_content_security_policy(client):
    for path in PAGES:
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'", path
        assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'", path
        assert "unsafe" not in policy, path


def test_every_page_switches_off_unused_browser_features(client):
    for path in PAGES:
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy, path


def test_pages_have_no_inline_script_or_style(client):
    author = user_create(username="writer")
    post = post_create(author=author)
    client.force_login(user_create(username="reader", is_staff=True, is_superuser=True))
    for path in [
        *PAGES[:4],
        post.get_absolute_url(),
        "/blog/new/",
        "/dashboard/",
        "/legacy/customers/",
        "/legacy/customers/1/",
    ]:
        html = client.get(path).content.decode()
        offenders = [pattern.pattern for pattern in INLINE if pattern.search(html)]
        assert not offenders, (path, offenders)


def production_values(tmp_path, code: str, **environment) -> list[str]:
    program = f"import django; django.setup(); from django.conf import settings as s; print({code})"
    result = run_python(["-c", program], production_env(tmp_path, **environment))
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_are_secure_even_without_the_https_redirect(tmp_path):
    values = production_values(
        tmp_path,
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    assert values == ["True", "True", "False"]


def test_hsts_says_preload_only_with_a_year_of_max_age(tmp_path):
    month = production_values(
        tmp_path, "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD", DJANGO_SECURE_HSTS_SECONDS="2592000"
    )
    assert month == ["2592000", "False"]
    default = production_values(tmp_path, "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD")
    assert default == ["31536000", "True"]
    declined = production_values(tmp_path, "s.SECURE_HSTS_PRELOAD", DJANGO_SECURE_HSTS_PRELOAD="false")
    assert declined == ["False"]


def test_the_session_csrf_and_read_your_writes_cookies_carry_secure(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    alice = user_create(username="alice", password="a-Long-pass-123")
    client = Client()
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["secure"]
    client.post("/accounts/login/", {"username": "alice", "password": "a-Long-pass-123"})
    assert client.cookies["sessionid"]["secure"]
    response = client.post("/blog/new/", {"title": "Written", "body": "Body", "publish": "on"})
    assert response.status_code == 302 and Post.objects.filter(author=alice, title="Written").exists()
    assert "manydb_rw" in response.cookies and response.cookies["manydb_rw"]["secure"]
