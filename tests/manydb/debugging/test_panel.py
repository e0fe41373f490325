"""The "Databases" toolbar panel and the badge, on a real request with the toolbar installed."""

import pytest
from django.test import override_settings

from config.settings import dev
from tests.factories import post_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

DEVELOPMENT = {
    "DEBUG": True,
    "INSTALLED_APPS": dev.INSTALLED_APPS,
    "MIDDLEWARE": dev.MIDDLEWARE,
    "TEMPLATES": dev.TEMPLATES,
    "DEBUG_TOOLBAR_PANELS": ["manydb.debugging.panel.DatabasesPanel"],
    # As in development (collapsed), panels rendered into the page, and shown to the test's own address.
    "DEBUG_TOOLBAR_CONFIG": {
        "SHOW_COLLAPSED": True,
        "RENDER_PANELS": True,
        "SHOW_TOOLBAR_CALLBACK": lambda request: True,
    },
}


def test_the_panel_lists_queries_per_alias_and_the_decision(client, alice):
    post_create(author=alice, title="Seen by the panel")
    with override_settings(**DEVELOPMENT):
        html = client.get("/blog/").content.decode()
    assert "Routing decisions" in html
    assert "the replica is within its lag" in html or "replica" in html
    assert "Queries per alias" in html and "blog_post" in html
    assert 'class="reads-badge"' in html and "reads: replica (replica)" in html
