"""Reads of blog data. The router sends them to a replica when one may serve them."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

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
