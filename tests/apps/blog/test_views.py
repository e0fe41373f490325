"""Blog pages: list, detail (records a page view), publishing."""

import pytest
from django.urls import reverse

from apps.blog.models import Post
from config.aliases import DEFAULT
from tests.factories import comment_create, events_everywhere, post_create

pytestmark = pytest.mark.django_db(databases="__all__")


def test_home_and_list_show_published_posts_with_author_names(client, alice, published_post):
    post_create(author=alice, title="Secret draft", published=False)
    for url in ("/", "/blog/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Hello, six databases" in html
        assert "Alice Liddell" in html
        assert "Secret draft" not in html


def test_list_is_paginated(client, alice):
    for n in range(12):
        post_create(author=alice, title=f"Numbered {n:02d}")
    first = client.get("/blog/")
    second = client.get("/blog/?page=2")
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"]) == 10 and len(second.context["page"]) == 2
    assert client.get("/blog/?page=999").status_code == 200  # clamps to the last page


def test_list_queries_each_database_once(client, alice, bob, django_assert_max_num_queries):
    for author in (alice, bob, alice):
        post_create(author=author)
    # posts (and count for the paginator) on default, authors in one query on users
    with django_assert_max_num_queries(3):
        client.get("/blog/")


def test_detail_shows_comments_and_records_a_page_view(client, alice, bob, published_post):
    comment_create(post=published_post, author=bob, body="Great read")
    response = client.get(published_post.get_absolute_url())
    assert response.status_code == 200
    assert "Great read" in response.content.decode()
    [event] = events_everywhere(event_type="page_view")
    assert event.path == published_post.get_absolute_url()
    assert event.data == {"post_id": published_post.pk}


def test_drafts_and_unknown_slugs_are_404(client, alice):
    draft = post_create(author=alice, published=False)
    assert client.get(f"/blog/{draft.slug}/").status_code == 404
    assert client.get("/blog/no-such-post/").status_code == 404


def test_new_post_requires_login(client):
    response = client.get("/blog/new/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_publishing_creates_the_post_and_a_post_created_event(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    # The event is delivered when the post's transaction on default commits.
    with django_capture_on_commit_callbacks(using=DEFAULT, execute=True):
        response = client.post("/blog/new/", {"title": "Fresh off the press", "body": "Words.", "publish": "on"})
    post = Post.objects.get(title="Fresh off the press")
    assert response.status_code == 302 and response.url == post.get_absolute_url()
    assert post.author == alice and post.is_published and post.slug == "fresh-off-the-press"
    [event] = events_everywhere(event_type="post_created")
    assert event.user_id == alice.pk and event.data == {"post_id": post.pk, "published": True}
    assert "Fresh off the press" in client.get(response.url).content.decode()


def test_same_title_gets_a_unique_slug(client, alice):
    client.force_login(alice)
    for _ in range(2):
        client.post("/blog/new/", {"title": "Twice", "body": "Words.", "publish": "on"})
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["twice", "twice-2"]


def test_invalid_post_form_shows_errors(client, alice):
    client.force_login(alice)
    response = client.post("/blog/new/", {"title": "", "body": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Post.objects.exists()


def test_logged_in_user_can_comment(client, bob, published_post):
    client.force_login(bob)
    response = client.post(published_post.get_absolute_url(), {"body": "First!"})
    assert response.status_code == 302
    assert published_post.comments.get().author == bob
