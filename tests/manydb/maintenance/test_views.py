"""The database health page: staff only, a section per alias, each alias's outage its own."""

import pytest
from django.db import connections
from django.urls import reverse

from config.aliases import ANALYTICS, DEFAULT, LEGACY, REPLICA
from tests.factories import user_create

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

URL = reverse("database_health")


@pytest.fixture
def staff_client(client):
    client.force_login(user_create(username="operator", is_staff=True))
    return client


def sections(response) -> dict[str, dict]:
    return {database["alias"]: database["section"] for database in response.context["databases"]}


def test_visitors_and_members_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302
    client.force_login(user_create(username="member"))
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_see_every_check_of_every_alias(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    found = sections(response)
    assert set(found) == set(connections)
    for alias, section in found.items():
        assert section.available, alias
        checks = {check.name: check for check in section.value["checks"]}
        assert len(checks) == 11
        for check in checks.values():
            assert check.status == "ok" or check.advice or check.summary, (alias, check)
    html = response.content.decode()
    assert 'id="db-analytics"' in html and "Slow queries" in html


def test_each_engine_answers_what_it_has(staff_client):
    found = sections(staff_client.get(URL))

    def status(alias, name):
        return next(check for check in found[alias].value["checks"] if check.name == name)

    for alias in (DEFAULT, ANALYTICS, LEGACY, REPLICA):
        wraparound = status(alias, "Transaction ID wraparound")
        if connections[alias].vendor == "postgresql":
            assert wraparound.status == "ok" and "transactions left" in wraparound.summary
        else:
            assert wraparound.summary == "not available on this engine"
        duplicates = status(alias, "Duplicate indexes")  # every engine has this one
        assert duplicates.status == "ok", duplicates


def test_a_database_down_costs_its_section_only(staff_client, database_down):
    with database_down(ANALYTICS):
        response = staff_client.get(URL)
    assert response.status_code == 200
    found = sections(response)
    assert not found[ANALYTICS].available
    assert found[DEFAULT].available and found[LEGACY].available
    assert "cannot be reached right now" in response.content.decode()
