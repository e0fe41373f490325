"""Reads of the legacy order system."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from apps.legacy.models import Customer, Order


def customer_search(*, query: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.annotate(order_count=Count("orders"))
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
    return {"revenue": totals["revenue"] or Decimal("0"), "orders": totals["orders"]}


def customer_count() -> int:
    return Customer.objects.count()
