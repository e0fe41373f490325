"""Slugs for posts: unique, and never a word the blog's own URLs use.

A post titled "New" must not get the slug ``new``: /blog/new/ is the form
for writing one, and the post could never be opened.
"""

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.text import slugify

# Words kept for pages the blog may add, beyond those its URLconf has now
# (which reserved_slug() finds by resolving).
RESERVED_SLUGS = frozenset({"new", "mine", "drafts", "edit", "delete", "preview", "feed", "page"})
SLUG_BASE_MAX_LENGTH = 200  # leaves room for "-<n>" within the field's 220


def reserved_slug(slug: str) -> bool:
    """True when /blog/<slug>/ would not lead to a post."""
    if slug in RESERVED_SLUGS:
        return True
    try:
        path = reverse("blog:post_detail", kwargs={"slug": slug})
        return resolve(path).view_name != "blog:post_detail"
    except (NoReverseMatch, Resolver404):
        return True


def slug_candidates(title: str):
    """``title``, ``title-2``, ``title-3``, ...; a reserved base becomes ``<base>-post``."""
    base = slugify(title)[:SLUG_BASE_MAX_LENGTH].strip("-") or "post"
    if reserved_slug(base):
        base = f"{base}-post"
    yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def validate_slug_not_reserved(value: str) -> None:
    """For the admin's slug field: the same rule the site's own writers follow."""
    if reserved_slug(value):
        raise ValidationError("“%(slug)s” is used by the blog's own pages.", params={"slug": value}, code="reserved")
