"""Authors' own pages: My posts, draft previews, editing and deleting; nobody else's."""

import pytest
from django.contrib.messages import get_messages

from apps.blog.models import Comment, Post
from config.aliases import DEFAULT
from tests.factories import comment_create, events_everywhere, post_create

pytestmark = pytest.mark.django_db(databases="__all__")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_my_posts_lists_the_authors_drafts_and_published_posts_only(client, alice, bob):
    post_create(author=alice, title="Alice published")
    post_create(author=alice, title="Alice draft", published=False)
    post_create(author=bob, title="Bob's post")
    client.force_login(alice)
    response = client.get("/blog/mine/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice published" in html and "Alice draft" in html and "Bob's post" not in html
    assert html.index("Alice draft") < html.index("Alice published")  # drafts first
    assert 'href="/blog/mine/"' in client.get("/blog/").content.decode()  # in the navigation


def test_my_posts_asks_anonymous_visitors_to_log_in_and_says_why(client):
    response = client.get("/blog/mine/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/blog/mine/"
    assert "Please log in to see your posts." in response.content.decode()


def test_a_draft_is_previewed_by_its_author_and_404_for_everyone_else(client, alice, bob):
    draft = post_create(author=alice, title="Work in progress", published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(bob)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(alice)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview: only you can see this post" in response.content.decode()
    assert not events_everywhere(event_type="page_view")  # a preview is not a view


def test_saving_a_draft_leads_to_its_preview_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post("/blog/new/", {"title": "Not yet", "body": "Words."}, follow=True)
    post = Post.objects.get(title="Not yet")
    assert not post.is_published
    assert response.redirect_chain[-1][0] == post.get_absolute_url()
    assert "“Not yet” is saved as a draft" in response.content.decode()


def test_publishing_says_so(client, alice):
    client.force_login(alice)
    response = client.post("/blog/new/", {"title": "Out now", "body": "Words.", "publish": "on"}, follow=True)
    assert "“Out now” is published." in response.content.decode()


def test_the_author_edits_a_post_and_its_address_stays(client, alice):
    post = post_create(author=alice, title="Old title", published=False)
    client.force_login(alice)
    form = client.get(f"/blog/{post.slug}/edit/")
    assert form.status_code == 200 and form.context["form"].initial["title"] == "Old title"
    response = client.post(
        f"/blog/{post.slug}/edit/", {"title": "New title", "body": "New words.", "publish": "on"}, follow=True
    )
    post.refresh_from_db()
    assert (post.title, post.body, post.is_published) == ("New title", "New words.", True)
    assert post.published_at is not None
    assert response.redirect_chain[-1][0] == post.get_absolute_url()
    assert "“New title” is updated." in response.content.decode()


def test_unpublishing_takes_a_post_off_the_blog(client, alice, published_post):
    client.force_login(alice)
    client.post(f"/blog/{published_post.slug}/edit/", {"title": published_post.title, "body": "x"})
    published_post.refresh_from_db()
    assert not published_post.is_published
    assert list(client.get("/blog/").context["page"]) == []


def test_the_author_deletes_a_post_after_confirming(client, alice, bob, published_post):
    comment_create(post=published_post, author=bob)
    client.force_login(alice)
    confirm = client.get(f"/blog/{published_post.slug}/delete/")
    assert confirm.status_code == 200 and "Delete “Hello, six databases”?" in confirm.content.decode()
    assert Post.objects.filter(pk=published_post.pk).exists()  # a GET deletes nothing
    response = client.post(f"/blog/{published_post.slug}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/blog/mine/"
    assert "“Hello, six databases” is deleted." in response.content.decode()
    assert not Post.objects.using(DEFAULT).exists() and not Comment.objects.using(DEFAULT).exists()


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_nobody_else_can_edit_or_delete(client, alice, bob, published_post, action):
    draft = post_create(author=alice, title="Alice's draft", published=False)
    url = f"/blog/{published_post.slug}/{action}/"
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hijacked", "body": "x", "publish": "on"}).status_code == 403
    assert client.get(f"/blog/{draft.slug}/{action}/").status_code == 404  # a draft's existence is private
    assert client.get(f"/blog/no-such-post/{action}/").status_code == 404
    published_post.refresh_from_db()
    assert published_post.title == "Hello, six databases"
    assert Post.objects.count() == 2


def test_only_the_author_sees_edit_and_delete_links(client, alice, bob, published_post):
    edit_link = f'href="/blog/{published_post.slug}/edit/"'
    assert edit_link not in client.get(published_post.get_absolute_url()).content.decode()
    client.force_login(bob)
    assert edit_link not in client.get(published_post.get_absolute_url()).content.decode()
    client.force_login(alice)
    assert edit_link in client.get(published_post.get_absolute_url()).content.decode()


def test_a_comment_is_confirmed_and_recorded_as_an_event(
    client, bob, published_post, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(using=DEFAULT, execute=True):
        response = client.post(published_post.get_absolute_url(), {"body": "Nice."})
    comment = published_post.comments.get()
    [event] = events_everywhere(event_type="comment_added")
    assert (event.user_id, event.data) == (bob.pk, {"post_id": published_post.pk, "comment_id": comment.pk})
    assert event.path == published_post.get_absolute_url()
    assert messages_of(response) == ["Your comment is published."]


def test_drafts_take_no_comments(client, alice, bob):
    draft = post_create(author=alice, published=False)
    client.force_login(alice)
    client.post(draft.get_absolute_url(), {"body": "On my own draft"})
    assert not Comment.objects.exists()
