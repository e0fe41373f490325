"""No stack trace for a visitor: a page whose database is down answers a clean 503."""

import pytest

from config.aliases import DEFAULT, REPLICA

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_blog_with_its_databases_down_answers_a_friendly_503(client, database_down):
    with database_down(REPLICA), database_down(DEFAULT):
        response = client.get("/blog/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Temporarily unavailable" in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_unknown_page_is_a_plain_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
