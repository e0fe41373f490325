from django.core.paginator import Paginator
from django.shortcuts import render

from apps.legacy import selectors

CUSTOMERS_PER_PAGE = 15


def customer_list(request):
    query = request.GET.get("q", "")[:100]
    customers = selectors.customer_search(query=query)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "legacy/customer_list.html", {"page": page, "query": query})


def customer_detail(request, customer_id):
    customer = selectors.customer_get(customer_id=customer_id)
    orders = selectors.customer_orders(customer=customer)
    return render(request, "legacy/customer_detail.html", {"customer": customer, "orders": orders})
