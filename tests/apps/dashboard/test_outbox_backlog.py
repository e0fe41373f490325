"""The dashboard shows the events still waiting for analytics, per database they wait on."""

import pytest
from django.db import connections

from apps.analytics.services import event_record
from config.aliases import DEFAULT, USERS

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def waiting_rows(response) -> dict:
    return {row["database"]: row["section"] for row in response.context["sections"]["outbox"]}


def test_the_backlog_per_database_equals_the_rows_waiting_there(client, staff, analytics_down):
    client.force_login(staff)  # before the outage: its login event is delivered at once
    with analytics_down():
        event_record(event_type="page_view")
        event_record(event_type="page_view")
    response = client.get("/dashboard/")
    sections = waiting_rows(response)
    for alias in (DEFAULT, USERS):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM manydb_outboxmessage")
            assert sections[alias].value.count == cursor.fetchone()[0]
    assert (sections[DEFAULT].value.count, sections[USERS].value.count) == (0, 2)
    html = response.content.decode()
    assert 'id="outbox"' in html and "Last failure: OperationalError" in html


def test_a_database_down_turns_only_its_own_backlog_unavailable(client, staff, database_down):
    client.force_login(staff)
    with database_down(DEFAULT):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    sections = waiting_rows(response)
    assert not sections[DEFAULT].available
    assert sections[USERS].available and sections[USERS].value.count == 0
