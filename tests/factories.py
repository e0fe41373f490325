"""Small factories: the fewest fields a valid row needs, overridable by keyword."""

import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.analytics.models import Event
from apps.blog.models import Comment, Post
from manydb import shard_of

_sequence = itertools.count(1)


def user_create(*, username: str | None = None, password: str = "pass-for-tests", **fields):
    username = username or f"user{next(_sequence)}"
    fields.setdefault("email", f"{username}@example.com")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def user_with_permissions(*permissions: str, **fields):
    """A user holding each ``app_label.codename`` permission given."""
    from django.contrib.auth.models import Permission

    user = user_create(**fields)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def post_create(*, author, title: str | None = None, published: bool = True, **fields) -> Post:
    n = next(_sequence)
    title = title or f"Post {n}"
    return Post.objects.create(
        author=author,
        title=title,
        slug=fields.pop("slug", f"post-{n}"),
        body=fields.pop("body", "Body text."),
        status=Post.Status.PUBLISHED if published else Post.Status.DRAFT,
        published_at=timezone.now() if published else None,
        **fields,
    )


def comment_create(*, post: Post, author, body: str = "A comment.") -> Comment:
    return Comment.objects.create(post=post, author=author, body=body)


def user_id_on_shard(alias: str) -> int:
    """The smallest user id whose events live on the analytics shard ``alias``."""
    user_id = 1
    while shard_of(Event, user_id) != alias:
        user_id += 1
    return user_id


def events_everywhere(**filters) -> list[Event]:
    """The events matching ``filters`` on every analytics shard, read one shard after another."""
    return [event for alias in Event.objects.shards() for event in Event.objects.on_shard(alias).filter(**filters)]


def event_create(*, event_type: str = "page_view", user_id=None, occurred_at=None, **fields) -> Event:
    return Event.objects.create(
        event_type=event_type, user_id=user_id, occurred_at=occurred_at or timezone.now(), **fields
    )


# A valid sign-up form for the account "newcomer".
SIGNUP_FORM = {
    "username": "newcomer",
    "email": "new@example.com",
    "password1": "a-Long-pass-123",
    "password2": "a-Long-pass-123",
}
