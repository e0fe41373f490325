"""Reads of blog data. The router sends them to a replica when one may serve them."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.blog.models import Comment, Post
from manydb import home_of


def post_list(*, published: bool = True) -> QuerySet[Post]:
    """Posts with their authors: one query here, one on the users database."""
    posts = Post.objects.prefetch_related("author")
    if published:
        posts = posts.filter(status=Post.Status.PUBLISHED)
    return posts


def post_get(*, slug: str) -> Post:
    """A published post by slug, or 404."""
    return get_object_or_404(post_list(published=True), slug=slug)


def post_get_visible(*, slug: str, user) -> Post:
    """A published post, or a draft its own author is previewing; 404 for anyone else.

    A draft is 404, not 403, for others: its existence is its author's business.
    """
    post = get_object_or_404(post_list(published=False), slug=slug)
    if not post.is_published and post.author_id != user.pk:
        raise Http404("No such post.")
    return post


def post_get_for_author(*, slug: str, author) -> Post:
    """A post its author is about to change, read on the primary (never a stale copy).

    404 when there is no such post or it is someone else's draft; 403 when it
    is someone else's published post.
    """
    post = get_object_or_404(Post.objects.using(home_of(Post)), slug=slug)
    if post.author_id != author.pk:
        if not post.is_published:
            raise Http404("No such post.")
        raise PermissionDenied("Only its author can change a post.")
    return post


def post_list_of_author(*, author) -> QuerySet[Post]:
    """Everything one author wrote, drafts first, then newest first."""
    return Post.objects.filter(author_id=author.pk).order_by("status", "-created_at")


def post_comments(*, post: Post) -> QuerySet[Comment]:
    return post.comments.prefetch_related("author")


def posts_by_author(*, author_id: int, limit: int = 5) -> list[Post]:
    return list(Post.objects.filter(author_id=author_id).order_by("-created_at")[:limit])


def posts_per_week(*, weeks: int = 12) -> dict:
    """Posts published per week over the last ``weeks`` weeks: {monday: n}, oldest first."""
    since = timezone.now() - timedelta(weeks=weeks)
    rows = (
        Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gte=since)
        .annotate(week=TruncWeek("published_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    return {row["week"].date(): row["n"] for row in rows}
