"""Authors publishing posts with one title at the same moment: every post gets its own slug."""

import pytest

from apps.blog.models import Post
from tests.concurrency import post_at_once

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
AUTHORS = 6


def test_concurrent_posts_with_one_title_each_get_a_free_slug(alice):
    form = {"title": "Breaking news", "body": "Words.", "publish": "on"}
    statuses = post_at_once("/blog/new/", [form] * AUTHORS, login=alice)
    assert 500 not in statuses, statuses
    # Each either got a slug of its own or (after SLUG_ATTEMPTS collisions) a form error.
    created = Post.objects.filter(title="Breaking news")
    assert statuses.count(302) == created.count() >= 1
    slugs = set(created.values_list("slug", flat=True))
    assert len(slugs) == created.count() and "breaking-news" in slugs
