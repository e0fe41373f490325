"""The pages satisfy their Content-Security-Policy in a real Chromium, with production's secure cookies."""

import pytest

from tests.browser.conftest import screenshot
from tests.factories import post_create, user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

# Records what Chromium reports; Playwright injects this outside the page's policy.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def visit(page, path: str) -> list[str]:
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    violations = page.evaluate("window.__violations")
    return violations + [text for text in console if "Content Security Policy" in text]


def test_main_pages_raise_no_violation_for_visitors_and_staff(page, settings):
    # As production sets them: Chromium keeps Secure cookies on http://localhost.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    post = post_create(author=user_create(username="writer"), title="Policy")
    user_create(username="staffer", password="a-Long-pass-123", is_staff=True, is_superuser=True)
    page.add_init_script(LISTEN)
    anonymous = ["/", "/blog/", post.get_absolute_url(), "/accounts/login/", "/accounts/signup/", "/admin/login/"]
    found = {path: visit(page, path) for path in anonymous}
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "staffer")
    page.fill("input[name=password]", "a-Long-pass-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/dashboard/")
    for path in ["/dashboard/", "/blog/new/", "/legacy/customers/", "/legacy/customers/1/", "/admin/"]:
        found[path] = visit(page, path)
    screenshot(page, "admin-under-csp")
    assert {path: v for path, v in found.items() if v} == {}
    # The listener does hear a violation: an inline style attribute added now is refused.
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<b style="color: red">x</b>')""")
    page.wait_for_function("window.__violations.length > 0")
    assert "style-src" in page.evaluate("window.__violations")[0]


def test_a_locked_out_visitor_is_told_why_and_for_how_long(page, settings):
    user_create(username="alice", password="a-Long-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "wrong")
        page.click("form.stacked button[type=submit]")
    alert = page.get_by_role("alert")
    assert "paused for 15 minutes" in alert.inner_text() and "alice" in alert.inner_text()
    screenshot(page, "login-locked-out")
