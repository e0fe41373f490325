from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.legacy import selectors

CUSTOMERS_PER_PAGE = 15

# Customers' names, e-mails, cities and orders are personal data: a login and
# the models' view permissions (granted in the admin, or by being a superuser).
# Anonymous visitors go to the login page; a logged-in user without the
# permissions gets 403, so ids cannot be probed for existence.
VIEW_CUSTOMERS = ("legacy.view_customer", "legacy.view_order")


@require_safe
@login_required
@permission_required(VIEW_CUSTOMERS, raise_exception=True)
def customer_list(request):
    query = request.GET.get("q", "")[:100]
    customers = selectors.customer_search(query=query)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "legacy/customer_list.html", {"page": page, "query": query})


@require_safe
@login_required
@permission_required(VIEW_CUSTOMERS, raise_exception=True)
def customer_detail(request, customer_id):
    customer = selectors.customer_get(customer_id=customer_id)
    orders = selectors.customer_orders(customer=customer)
    return render(request, "legacy/customer_detail.html", {"customer": customer, "orders": orders})
