"""The site's main flows, as a person goes through them in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from apps.analytics.models import Event
from apps.blog.models import Post
from manydb import shard_of
from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import events_everywhere

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PASSWORD = "a-Long-pass-123"


def sign_up(page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()


def message(page):
    return page.locator(".messages")


def test_sign_up_write_comment_edit_delete_and_log_out(page):
    sign_up(page, "reader")
    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(message(page)).to_contain_text("Welcome, reader")
    screenshot(page, "flow-01-signed-up")

    page.get_by_role("button", name="Log out reader").click()
    expect(message(page)).to_contain_text("You are logged out.")

    page.goto("/blog/new/")  # a protected page: to the log-in form, saying why
    expect(message(page)).to_contain_text("Please log in to write a post.")
    screenshot(page, "flow-02-login-required")
    log_in(page, "reader")
    expect(page).to_have_url(re.compile("/blog/new/$"))
    expect(message(page)).to_contain_text("You are logged in as reader.")

    page.fill("#id_title", "New")  # a title that is also a page's name
    page.fill("#id_body", "First words from the browser.")
    page.get_by_role("button", name="Save").click()
    expect(message(page)).to_contain_text("“New” is published.")
    expect(page).to_have_url(re.compile("/blog/new-post/$"))
    screenshot(page, "flow-03-published")

    page.get_by_role("link", name="Blog", exact=True).click()
    expect(page.get_by_role("link", name="New", exact=True)).to_be_visible()  # in the list at once

    page.get_by_role("link", name="New", exact=True).click()
    page.fill("#id_body", "Commenting on my own post.")
    page.get_by_role("button", name="Add comment").click()
    expect(message(page)).to_contain_text("Your comment is published.")
    expect(page.locator(".comment")).to_contain_text("Commenting on my own post.")
    screenshot(page, "flow-04-commented")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.fill("#id_title", "Renamed in the browser")
    page.uncheck("#id_publish")
    page.get_by_role("button", name="Save changes").click()
    expect(message(page)).to_contain_text("saved as a draft")
    expect(page.locator(".draft-banner")).to_be_visible()
    screenshot(page, "flow-05-draft-preview")

    page.get_by_role("link", name="My posts").click()
    expect(page.locator("article")).to_contain_text("Draft")
    screenshot(page, "flow-06-my-posts")
    page.get_by_role("link", name="Delete", exact=True).click()
    page.get_by_role("button", name="Delete").click()
    expect(message(page)).to_contain_text("“Renamed in the browser” is deleted.")
    expect(page.get_by_text("You have not written anything yet.")).to_be_visible()

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Your dashboard", exact=True)).to_be_visible()
    screenshot(page, "flow-07-dashboard")

    page.goto("/accounts/logout/")  # the typed URL asks first
    screenshot(page, "flow-08-logout-confirm")
    page.locator("main").get_by_role("button", name="Log out").click()
    expect(message(page)).to_contain_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    assert not Post.objects.exists()
    kinds = {event.event_type for event in events_everywhere()}
    assert {"user_registered", "login", "post_created", "comment_added"} <= kinds


def test_the_dashboard_with_the_analytics_database_down(page, alice, database_down):
    page.goto("/accounts/login/")
    log_in(page, "alice", "pass-for-tests")
    with database_down(shard_of(Event, alice.pk)):  # the shard holding alice's events
        response = page.goto("/dashboard/")
        assert response.status == 200
        expect(page.locator("#my-events .unavailable")).to_be_visible()
        screenshot(page, "dashboard-analytics-down")
    assert horizontal_overflow(page) <= 0


ANONYMOUS_PHONE_PAGES = {
    "blog": "/blog/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "customers": "/legacy/customers/",
    "not-found": "/no-such-page/",
}
AUTHOR_PHONE_PAGES = {
    "new-post": "/blog/new/",
    "my-posts": "/blog/mine/",
    "dashboard": "/dashboard/",
    "logout": "/accounts/logout/",
}


def test_every_page_fits_a_phone(phone_page, alice, published_post):
    # Long words and titles are where a page breaks out of a phone's width.
    published_post.title = "Unbreakable" + "x" * 60
    published_post.body = "A long word: " + "x" * 120 + "\n\n" + published_post.body
    published_post.save()
    post_pages = {"post": published_post.get_absolute_url(), "edit-post": f"/blog/{published_post.slug}/edit/"}
    overflowing = {}
    for pages, logged_in in ((ANONYMOUS_PHONE_PAGES, False), ({**AUTHOR_PHONE_PAGES, **post_pages}, True)):
        if logged_in:
            phone_page.goto("/accounts/login/")
            log_in(phone_page, "alice", "pass-for-tests")
        for name, url in pages.items():
            phone_page.goto(url)
            screenshot(phone_page, f"phone-{name}")
            if horizontal_overflow(phone_page) > 0:
                overflowing[url] = horizontal_overflow(phone_page)
    assert overflowing == {}, f"wider than the phone (px): {overflowing}"
