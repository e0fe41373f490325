"""The site's integrity rules on PostgreSQL: one account per address in any case,
and concurrent sign-ups and posts that end in form errors or free slugs, never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction

from apps.blog.models import Post
from config.aliases import DEFAULT, USERS
from tests.concurrency import post_at_once
from tests.factories import SIGNUP_FORM

pytestmark = [pytest.mark.real_engines, pytest.mark.django_db(transaction=True, databases="__all__")]


def test_the_address_index_is_a_partial_unique_index_on_lower_email():
    assert connections[USERS].vendor == "postgresql"
    with connections[USERS].cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_user_email_ci_unique'")
        (definition,) = cursor.fetchone()
    assert "UNIQUE INDEX" in definition and "lower" in definition and "WHERE" in definition
    get_user_model().objects.create_user("first", "Mixed@Example.com", "x")
    with pytest.raises(IntegrityError), transaction.atomic(using=USERS):
        get_user_model().objects.create_user("second", "mixed@example.COM", "x")


def test_twelve_concurrent_signups_with_one_username_on_postgresql():
    forms = [{**SIGNUP_FORM, "email": f"person{n}@example.com"} for n in range(12)]
    statuses = post_at_once("/accounts/signup/", forms)
    assert sorted(statuses) == [200] * 11 + [302], statuses.errors
    assert get_user_model().objects.filter(username=SIGNUP_FORM["username"]).count() == 1


def test_concurrent_posts_with_one_title_on_postgresql(alice):
    assert connections[DEFAULT].vendor == "postgresql"
    statuses = post_at_once("/blog/new/", [{"title": "Same", "body": "x", "publish": "on"}] * 6, login=alice)
    assert 500 not in statuses, statuses.errors
    slugs = list(Post.objects.using(DEFAULT).values_list("slug", flat=True))
    assert statuses.count(302) == len(slugs) == len(set(slugs)) >= 1
