"""Reads of the legacy order system."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from apps.legacy.models import Customer, Order

CENTS = Decimal("0.01")


def customer_search(*, query: str = "") -> QuerySet[Customer]:
    # Meta.ordering does not apply to aggregate queries: order explicitly for the paginator.
    customers = Customer.objects.annotate(order_count=Count("orders")).order_by("name", "id")
    query = query.strip()
    if query:
        customers = customers.filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(city__icontains=query))
    return customers


def customer_get(*, customer_id: int) -> Customer:
    return get_object_or_404(Customer, pk=customer_id)


def customer_orders(*, customer: Customer) -> QuerySet[Order]:
    return customer.orders.all()


def legacy_revenue() -> dict:
    """Revenue of orders that were not cancelled, and how many orders that is."""
    totals = Order.objects.exclude(status=Order.Status.CANCELLED).aggregate(
        revenue=Sum("total"), orders=Count("number")
    )
    # SQLite sums decimals as floats: round to cents so every engine shows the same figure.
    revenue = Decimal(totals["revenue"] or 0).quantize(CENTS)
    return {"revenue": revenue, "orders": totals["orders"]}


def customer_count() -> int:
    return Customer.objects.count()
