"""Pages as a person sees them: rendered by Chromium, checked and kept as screenshots."""

import pytest

from tests.browser.conftest import screenshot
from tests.factories import user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_the_blog_list_shows_a_published_post(page, published_post):
    page.goto("/blog/")
    assert page.get_by_role("link", name=published_post.title).is_visible()
    assert screenshot(page, "blog-list").stat().st_size > 0


def test_the_blog_list_fits_a_phone(phone_page, published_post):
    phone_page.goto("/blog/")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    screenshot(phone_page, "blog-list-phone")


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
