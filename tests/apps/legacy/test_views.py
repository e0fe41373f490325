"""Legacy customers, read from the shipped sample schema (never migrated)."""

import pytest
from django.db import connections, router

from apps.legacy.models import Customer, Order

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def client(client, db):
    """A user allowed to read customers (tests/security covers everyone else)."""
    from tests.factories import user_with_permissions

    client.force_login(user_with_permissions("legacy.view_customer", "legacy.view_order"))
    return client


def raw_count(sql: str, params=()) -> int:
    with connections[router.db_for_read(Customer)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_list_pages_through_every_customer(client):
    total = raw_count("SELECT COUNT(*) FROM customers")
    response = client.get("/legacy/customers/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == total == 40


def test_search_matches_name_email_or_city(client):
    expected = raw_count("SELECT COUNT(*) FROM customers WHERE LOWER(city_nm) = 'lyon'")
    response = client.get("/legacy/customers/?q=Lyon")
    assert response.context["page"].paginator.count == expected > 0
    assert all(c.city == "Lyon" for c in response.context["page"])
    empty = client.get("/legacy/customers/?q=zzz-nobody")
    assert "No customers match" in empty.content.decode()


def test_customer_page_lists_their_orders(client):
    customer_id = raw_count("SELECT cust_no FROM orders GROUP BY cust_no ORDER BY COUNT(*) DESC, cust_no LIMIT 1")
    expected = raw_count("SELECT COUNT(*) FROM orders WHERE cust_no = %s", [customer_id])
    response = client.get(f"/legacy/customers/{customer_id}/")
    assert response.status_code == 200
    orders = list(response.context["orders"])
    assert len(orders) == expected > 0
    assert all(isinstance(order, Order) and order.customer_id == customer_id for order in orders)
    assert str(orders[0].total) in response.content.decode()


def test_unknown_customer_is_404(client):
    assert client.get("/legacy/customers/999999/").status_code == 404


def test_models_map_the_old_column_names():
    customer = Customer.objects.get(pk=1)
    assert customer.name and customer.created_at
    assert Customer._meta.get_field("name").column == "cust_nm"
    assert Order._meta.db_table == "orders" and not Order._meta.managed
