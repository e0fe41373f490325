"""Writes to the blog (default) database."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.analytics.services import event_record_on_commit
from apps.blog.models import Comment, Post
from manydb import home_of


def post_publish(*, author, title: str, body: str, publish: bool = True) -> Post:
    """Create a post (published now, or a draft) and record ``post_created``.

    The event commits with the post, in the outbox on default, and reaches
    analytics after the commit: publishing never fails because analytics
    does, and a post never exists without its event.
    """
    alias = home_of(Post)
    with transaction.atomic(using=alias):
        post = Post.objects.create(
            author=author,
            title=title,
            body=body,
            slug=_unique_slug(title),
            status=Post.Status.PUBLISHED if publish else Post.Status.DRAFT,
            published_at=timezone.now() if publish else None,
        )
        event_record_on_commit(
            using=alias,
            event_type="post_created",
            user_id=author.pk,
            path=post.get_absolute_url(),
            data={"post_id": post.pk, "published": publish},
        )
    return post


def comment_add(*, post: Post, author, body: str) -> Comment:
    return Comment.objects.create(post=post, author=author, body=body)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "post"
    slug, n = base, 1
    # Checked on the primary: a replica may not have the newest slugs yet.
    while Post.objects.using(home_of(Post)).filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
