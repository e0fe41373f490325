"""Reads of blog data. The router sends them to a replica when one may serve them."""

from datetime import timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.blog.models import Comment, Post


def post_list(*, published: bool = True) -> QuerySet[Post]:
    """Posts with their authors: one query here, one on the users database."""
    posts = Post.objects.prefetch_related("author")
    if published:
        posts = posts.filter(status=Post.Status.PUBLISHED)
    return posts


def post_get(*, slug: str) -> Post:
    """A published post by slug, or 404."""
    return get_object_or_404(post_list(published=True), slug=slug)


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
