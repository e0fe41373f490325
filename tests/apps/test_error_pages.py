"""Error pages keep the site's navigation, and render with every database down."""

from contextlib import ExitStack

import pytest
from django.db import connections
from django.test import RequestFactory
from django.views.defaults import server_error

from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, USERS

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

NAVIGATION = ['href="/blog/"', 'href="/legacy/customers/"', 'href="/dashboard/"', 'href="/accounts/login/"']


@pytest.fixture
def everything_down(database_down):
    with ExitStack() as stack:
        for alias in (DEFAULT, USERS, ANALYTICS, CACHE, LEGACY):
            stack.enter_context(database_down(alias))
        yield


def assert_navigation(html: str) -> None:
    for link in NAVIGATION:
        assert link in html, link


def test_404_keeps_the_navigation_with_every_database_down(client, everything_down):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_navigation(response.content.decode())


def test_500_keeps_the_navigation_with_every_database_down(everything_down):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_navigation(response.content.decode())


def test_the_legacy_sections_unavailable_page_keeps_the_navigation(client, database_down):
    with database_down(LEGACY):
        response = client.get("/legacy/customers/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "Temporarily unavailable" in html
    assert_navigation(html)


def test_error_pages_make_no_query(client, django_assert_max_num_queries):
    for alias in connections:
        with django_assert_max_num_queries(0, connection=connections[alias]):
            assert client.get("/no-such-page/").status_code == 404
