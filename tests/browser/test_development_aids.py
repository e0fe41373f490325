"""The development aids in Chromium: the reads badge on a page and the toolbar's "Databases" panel.

Screenshots: var/screenshots/dev-badge-phone.png, dev-databases-panel.png.
"""

from contextlib import contextmanager

import pytest
from django.contrib.staticfiles.finders import get_finder
from django.test import override_settings

from tests.browser.conftest import screenshot
from tests.factories import post_create
from tests.manydb.debugging.test_panel import DEVELOPMENT

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@contextmanager
def development(live_server, **changes):
    """Development settings on the live server: its middleware reloaded, the toolbar's static files found."""
    handler = live_server.thread.httpd.get_app().application  # inside the static files handler
    with override_settings(**{**DEVELOPMENT, **changes}):
        get_finder.cache_clear()  # the finders were built for the test settings' apps
        handler.load_middleware()
        try:
            yield
        finally:
            get_finder.cache_clear()
    handler.load_middleware()


def test_the_badge_says_where_reads_went(phone_page, live_server, published_post):
    with development(live_server):
        phone_page.goto("/blog/")
        badge = phone_page.locator(".reads-badge")
        assert badge.inner_text() == "reads: replica (replica)"
        screenshot(phone_page, "dev-badge-phone")


def test_the_databases_panel_lists_queries_decisions_and_token(page, live_server, alice):
    post_create(author=alice, title="Seen through the panel")
    with development(live_server):
        page.goto("/blog/")
        page.locator("#djShowToolBarButton").click()  # collapsed to its handle, as in development
        button = page.locator("#djdt-DatabasesPanel a")
        assert "queries on" in button.text_content()
        button.click()
        panel = page.locator("#DatabasesPanel")
        panel.wait_for(state="visible")
        text = panel.inner_text()
        assert "Routing decisions" in text and "replica" in text
        assert "Queries per alias" in text and "blog_post" in text
        assert "Carried in" in text and "Joins the guard refused" in text
        screenshot(page, "dev-databases-panel")
