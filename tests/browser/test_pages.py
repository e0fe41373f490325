"""Pages as a person sees them: rendered by Chromium, checked and kept as screenshots."""

import pytest

from tests.browser.conftest import horizontal_overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_the_blog_list_shows_a_published_post(page, published_post):
    page.goto("/blog/")
    assert page.get_by_role("link", name=published_post.title).is_visible()
    assert screenshot(page, "blog-list").stat().st_size > 0


def test_the_blog_list_fits_a_phone(phone_page, published_post):
    phone_page.goto("/blog/")
    overflow = horizontal_overflow(phone_page)
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    screenshot(phone_page, "blog-list-phone")
