"""move_rows with ``keep``: a filter on each row's Python values, for rows SQL cannot select."""

import pytest
from django.db.models import Q

import manydb
from apps.legacy.models import Customer
from manydb.moving.rows import Selection

from .support import add_customers

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
NAME = [field.attname for field in Customer._meta.concrete_fields].index("name")


class EvenNames:
    """Customers whose name ends in an even digit: a rule computed in Python."""

    def __call__(self, values) -> bool:
        return values[NAME][-1:].isdigit() and int(values[NAME][-1]) % 2 == 0

    def __str__(self):
        return "even names"


def test_only_the_kept_rows_move_and_verification_sees_only_them(targets):
    add_customers(250)
    result = manydb.move_rows(Customer, source="legacy", target="analytics", keep=EvenNames(), chunk_size=7)
    assert result.ok and result.verdict.rows == result.total
    wanted = {c.pk for c in Customer.objects.using("legacy").all() if EvenNames()([getattr(c, f) for f in fields()])}
    assert wanted and set(Customer.objects.using("analytics").values_list("pk", flat=True)) == wanted
    # A row the target holds beyond what the filter selects does not disturb its verification...
    stranger = Customer.objects.using("legacy").exclude(pk__in=wanted).first()
    stranger.save(using="analytics", force_insert=True)
    again = manydb.move_rows(Customer, source="legacy", target="analytics", keep=EvenNames(), chunk_size=7)
    assert again.ok and again.copied == 0
    # ...but a kept row changed behind its back does, named by its range.
    Customer.objects.using("analytics").filter(pk=min(wanted)).update(city="Nowhere")
    changed = manydb.move_rows(Customer, source="legacy", target="analytics", keep=EvenNames(), chunk_size=7)
    assert not changed.ok and "legacy.Customer: rows differ" in str(changed.verdict.mismatches[0])


def test_a_kept_selection_chunks_full_and_counts_exactly(targets):
    add_customers(100)
    selection = Selection(Customer, "legacy", Q(pk__gt=3), EvenNames())
    chunks = list(selection.chunks(size=6, columns=["pk"]))
    assert all(len(chunk) == 6 for chunk in chunks[:-1]) and 0 < len(chunks[-1]) <= 6
    assert sum(len(chunk) for chunk in chunks) == selection.count()
    assert selection.exists() and selection.where_sql() is None  # checked in Python, both sides


def fields() -> list[str]:
    return [field.attname for field in Customer._meta.concrete_fields]
