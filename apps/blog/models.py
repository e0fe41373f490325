from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from apps.blog.slugs import validate_slug_not_reserved

# About 8,000 words: a long article fits, a pasted data dump does not.
POST_BODY_MAX_LENGTH = 50_000
COMMENT_BODY_MAX_LENGTH = 5_000


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, validators=[validate_slug_not_reserved])
    body = models.TextField(max_length=POST_BODY_MAX_LENGTH)
    # Cross-database: posts live on default, users on users. No constraint the
    # database could enforce (db_constraint=False), and no cascade Django
    # would run on the wrong database (DO_NOTHING). Attribute access,
    # assignment and prefetch_related work; joins through it cannot.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="posts",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            # The form refuses longer bodies; this holds for every other writer too.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), POST_BODY_MAX_LENGTH),
                name="blog_post_body_max_length",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:post_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # Cross-database like Post.author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="comments",
    )
    body = models.TextField(max_length=COMMENT_BODY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_BODY_MAX_LENGTH),
                name="blog_comment_body_max_length",
            ),
        ]

    def __str__(self):
        return f"Comment by {self.author_id} on {self.post_id}"
