"""The database health page in a real browser: every check per database, one database down."""

import pytest

from tests.browser.conftest import screenshot
from tests.factories import user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_the_database_health_page_for_staff(page, database_down):
    user_create(username="operator", password="pass-for-tests", is_staff=True)
    page.goto("/admin/login/?next=/health/databases/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pass-for-tests")
    page.click("input[type=submit]")
    page.wait_for_url("**/health/databases/")
    assert page.locator("#db-default tr.check").count() == 11
    screenshot(page, "database-health")
    with database_down("analytics"):
        page.goto("/health/databases/")
        assert page.locator("#db-analytics .unavailable").is_visible()
        assert page.locator("#db-default tr.check").count() == 11
        screenshot(page, "database-health-analytics-down")
