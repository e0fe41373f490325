"""Writes to the blog (default) database."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.analytics.services import event_record_on_commit
from apps.blog.models import Comment, Post
from apps.blog.slugs import slug_candidates
from manydb import home_of

# Concurrent posts with one title each take the next free slug; this many
# collisions in a row means something else is wrong, and the form says so.
SLUG_ATTEMPTS = 5


class SlugTaken(Exception):
    """No free slug was found for a title after SLUG_ATTEMPTS tries."""


def post_publish(*, author, title: str, body: str, publish: bool = True) -> Post:
    """Create a post (published now, or a draft) and record ``post_created``.

    The event commits with the post, in the outbox on default, and reaches
    analytics after the commit: publishing never fails because analytics
    does, and a post never exists without its event.

    The slug is the title's, made unique: when another post takes it between
    the check and the insert (two authors publishing "Hello" at once), the
    database's unique index refuses the second and it takes the next one.
    """
    alias = home_of(Post)
    taken = _slugs_taken(alias, title)
    candidates = (slug for slug in slug_candidates(title) if slug not in taken)
    for _, slug in zip(range(SLUG_ATTEMPTS), candidates, strict=False):
        try:
            with transaction.atomic(using=alias):
                post = Post.objects.create(
                    author=author,
                    title=title,
                    body=body,
                    slug=slug,
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
        except IntegrityError:
            if not Post.objects.using(alias).filter(slug=slug).exists():
                raise  # not the slug: another constraint refused the post
    raise SlugTaken(f"no free slug for {title!r} after {SLUG_ATTEMPTS} attempts")


def post_update(*, post: Post, title: str, body: str, publish: bool) -> Post:
    """Change a post's title, body and status. Its slug (its address) stays.

    Publishing a draft dates it now; turning a published post back into a
    draft takes it off the blog but keeps its first publication date.
    """
    post.title = title
    post.body = body
    if publish and not post.is_published:
        post.status = Post.Status.PUBLISHED
        post.published_at = timezone.now()
    elif not publish:
        post.status = Post.Status.DRAFT
    post.save(using=home_of(Post))
    return post


def post_delete(*, post: Post) -> None:
    """Delete a post and its comments (same database: Django's cascade is enough)."""
    post.delete(using=home_of(Post))


def comment_add(*, post: Post, author, body: str, session_key: str = "") -> Comment:
    """Add a comment; its ``comment_added`` event commits with it (outbox on default)."""
    alias = home_of(Comment)
    with transaction.atomic(using=alias):
        comment = Comment.objects.using(alias).create(post=post, author=author, body=body)
        event_record_on_commit(
            using=alias,
            event_type="comment_added",
            user_id=author.pk,
            session_key=session_key,
            path=post.get_absolute_url(),
            data={"post_id": post.pk, "comment_id": comment.pk},
        )
    return comment


def _slugs_taken(alias: str, title: str) -> set[str]:
    """The slugs already used by posts with this title's base, read on the primary
    (a replica may not have the newest yet), in one query."""
    base = next(slug_candidates(title))
    return set(Post.objects.using(alias).filter(slug__startswith=base).values_list("slug", flat=True))
