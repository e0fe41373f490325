"""What the blog refuses: slugs its own pages use, and bodies past their maximum."""

import pytest
from django.db import IntegrityError, transaction

from apps.blog.models import COMMENT_BODY_MAX_LENGTH, POST_BODY_MAX_LENGTH, Post
from apps.blog.services import post_publish
from apps.blog.slugs import reserved_slug
from config.aliases import DEFAULT
from tests.factories import comment_create, post_create

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.mark.parametrize("title", ["New", "Mine", "Drafts", "new", "NEW!", "Edit", "Delete"])
def test_titles_that_name_a_page_never_get_its_slug(client, alice, title):
    post = post_publish(author=alice, title=title, body="Words.")
    assert not reserved_slug(post.slug)
    assert post.slug == f"{post.slug.removesuffix('-post')}-post"
    assert client.get(post.get_absolute_url()).context["post"] == post


def test_every_fixed_word_of_the_blog_urls_is_reserved():
    from apps.blog.urls import urlpatterns

    fixed = {str(p.pattern).split("/")[1] for p in urlpatterns if str(p.pattern).count("/") == 2}
    fixed.discard("<slug:slug>")
    assert fixed == {"new", "mine"}
    assert all(reserved_slug(word) for word in fixed)
    assert not reserved_slug("new-post") and not reserved_slug("newsletter")


def test_same_title_repeated_gets_numbered_slugs_around_a_reserved_word(alice):
    slugs = [post_publish(author=alice, title="New", body="x").slug for _ in range(3)]
    assert slugs == ["new-post", "new-post-2", "new-post-3"]


def test_the_admin_refuses_a_reserved_slug(alice):
    from django.core.exceptions import ValidationError

    post = Post(author=alice, title="New", slug="new", body="x")
    with pytest.raises(ValidationError) as error:
        post.full_clean(exclude=["author"])
    assert "slug" in error.value.message_dict


def test_the_form_refuses_a_body_past_the_maximum(client, alice):
    client.force_login(alice)
    response = client.post("/blog/new/", {"title": "Huge", "body": "x" * (POST_BODY_MAX_LENGTH + 1), "publish": "on"})
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not Post.objects.exists()
    ok = client.post("/blog/new/", {"title": "Long", "body": "x" * POST_BODY_MAX_LENGTH, "publish": "on"})
    assert ok.status_code == 302


def test_the_database_refuses_a_body_past_the_maximum_from_any_writer(alice, bob, published_post):
    with pytest.raises(IntegrityError), transaction.atomic(using=DEFAULT):
        post_create(author=alice, body="x" * (POST_BODY_MAX_LENGTH + 1))
    with pytest.raises(IntegrityError), transaction.atomic(using=DEFAULT):
        comment_create(post=published_post, author=bob, body="x" * (COMMENT_BODY_MAX_LENGTH + 1))
