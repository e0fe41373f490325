"""Twelve people sign up with one username at the same moment: one account, eleven form errors."""

import pytest
from django.contrib.auth import get_user_model

from tests.concurrency import post_at_once
from tests.factories import SIGNUP_FORM

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
SIGNUPS = 12


def test_concurrent_signups_with_one_username_give_one_account_and_form_errors():
    forms = [{**SIGNUP_FORM, "email": f"person{n}@example.com"} for n in range(SIGNUPS)]
    statuses = post_at_once("/accounts/signup/", forms)
    assert sorted(statuses) == [200] * (SIGNUPS - 1) + [302], statuses
    assert get_user_model().objects.filter(username=SIGNUP_FORM["username"]).count() == 1


def test_concurrent_signups_with_one_address_in_different_cases_give_one_account():
    addresses = ["same@example.com", "SAME@example.com", "Same@Example.com"]
    forms = [{**SIGNUP_FORM, "username": f"person{n}", "email": addresses[n % 3]} for n in range(6)]
    statuses = post_at_once("/accounts/signup/", forms)
    assert sorted(statuses) == [200] * 5 + [302], statuses
    assert get_user_model().objects.filter(email__iexact="same@example.com").count() == 1
