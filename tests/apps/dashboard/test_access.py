"""Who sees what: site-wide sections are for staff; everybody sees their own."""

import pytest

from tests.factories import event_create, post_create

pytestmark = pytest.mark.django_db(databases="__all__")

SITE_WIDE = ["site-totals", "legacy-revenue", "replicas", "outbox", "topology", "events-per-day", "database-sizes"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/dashboard/")


def test_a_user_sees_only_their_own_sections(client, alice, bob):
    post_create(author=alice, title="Alice writes")
    post_create(author=bob, title="Bob writes")
    event_create(event_type="page_view", user_id=alice.pk)
    client.force_login(alice)
    response = client.get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["sections"]) == {"recent_posts", "my_events"}
    assert "Alice writes" in html and "Bob writes" not in html
    assert "Page view" in html and "page_view" not in html
    for section_id in SITE_WIDE:
        assert f'id="{section_id}"' not in html
    assert "unavailable" not in html and "legacy revenue" not in html.lower()


def test_staff_see_the_site_wide_sections(client, staff):
    client.force_login(staff)
    html = client.get("/dashboard/").content.decode()
    for section_id in SITE_WIDE:
        assert f'id="{section_id}"' in html


def test_the_dashboard_answers_only_reads(client, alice):
    client.force_login(alice)
    assert client.post("/dashboard/").status_code == 405
