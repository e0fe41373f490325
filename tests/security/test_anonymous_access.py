"""Findings 5 and 10: what a stranger reaches at every URL, and with which methods."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.legacy.models import Customer
from tests.factories import post_create, user_create, user_with_permissions

pytestmark = pytest.mark.django_db(databases="__all__")

LOGIN = "/accounts/login/"
# Every named URL of the site, with what an anonymous GET gets. A URL added
# without a line here fails test_every_url_is_classified until someone decides.
ANONYMOUS_GET = {
    "blog:home": ("/", 200),
    "blog:post_list": ("/blog/", 200),
    "blog:post_detail": ("/blog/{slug}/", 200),
    "blog:post_create": ("/blog/new/", LOGIN),
    "blog:post_mine": ("/blog/mine/", LOGIN),
    "blog:post_update": ("/blog/{slug}/edit/", LOGIN),
    "blog:post_delete": ("/blog/{slug}/delete/", LOGIN),
    "accounts:signup": ("/accounts/signup/", 200),
    "accounts:login": ("/accounts/login/", 200),
    "accounts:logout": ("/accounts/logout/", 200),  # a page asking to confirm; logging out is a POST
    "legacy:customer_list": ("/legacy/customers/", LOGIN),
    "legacy:customer_detail": ("/legacy/customers/{customer}/", LOGIN),
    "dashboard:index": ("/dashboard/", LOGIN),
    "health": ("/health/", 200),
    "database_health": ("/health/databases/", LOGIN),  # staff only
}


def named_urls(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "djdt"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.fixture
def urls():
    post = post_create(author=user_create(username="writer"), title="Public")
    customer = Customer.objects.order_by("pk").first()
    return {
        name: (path.format(slug=post.slug, customer=customer.pk), want) for name, (path, want) in ANONYMOUS_GET.items()
    }


def test_every_url_is_classified():
    assert named_urls() == set(ANONYMOUS_GET)


def test_anonymous_get_of_every_url(client, urls):
    for name, (path, want) in urls.items():
        response = client.get(path)
        if want == LOGIN:
            assert response.status_code == 302 and response.url.startswith(f"{LOGIN}?next="), name
        else:
            assert response.status_code == want, name


def test_customers_are_invisible_without_the_view_permission(client, urls):
    customer_pages = [urls["legacy:customer_list"][0], urls["legacy:customer_detail"][0]]
    client.force_login(user_create(username="member"))
    assert [client.get(path).status_code for path in customer_pages] == [403, 403]
    assert "Customers" not in client.get("/blog/").content.decode()  # no link to a page they cannot open
    client.force_login(user_with_permissions("legacy.view_customer", "legacy.view_order"))
    assert [client.get(path).status_code for path in customer_pages] == [200, 200]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_view_answers_methods_it_does_not_serve(admin_client, urls, method):
    for name, (path, _) in urls.items():
        response = getattr(admin_client, method)(path)
        assert response.status_code == 405, (name, method, response.status_code)


def test_read_only_pages_refuse_post(admin_client, urls):
    read_only = [
        "blog:post_list",
        "blog:post_mine",
        "legacy:customer_list",
        "legacy:customer_detail",
        "dashboard:index",
        "health",
    ]
    for name in read_only:
        assert admin_client.post(urls[name][0]).status_code == 405, name
