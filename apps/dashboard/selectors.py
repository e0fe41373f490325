"""The dashboard's reads: one guarded section per database, so one dead database
costs one section, never the page."""

from django.conf import settings
from django.db import router

from apps.analytics.models import Event
from apps.analytics.selectors import event_counts_by_type, event_total
from apps.blog.models import Post
from apps.blog.selectors import posts_by_author
from apps.cache.models import CacheEntry
from apps.cache.selectors import cache_entry_count
from apps.cache.services import cache_entry_get_or_compute
from apps.legacy.models import Customer
from apps.legacy.selectors import customer_count, legacy_revenue
from apps.users.models import User
from manydb import (
    Section,
    guarded,
    guarded_all,
    home_of,
    outbox_backlog,
    primary_report,
    replica_report,
    routing_map,
)

SUMMARY_CACHE_KEY = "dashboard:site-summary"


def dashboard_sections(*, user) -> dict:
    # The cached summary first: it may add a cache entry, which the totals then count.
    summary = guarded(site_summary_cached, name="cached summary")
    sections = guarded_all(
        {
            "recent_posts": lambda: posts_by_author(author_id=user.pk),
            "my_events": lambda: event_counts_by_type(user_id=user.pk, days=30),
            "revenue": legacy_revenue,
            "replicas": replica_report,
            "primaries": primary_report,  # which server each alias writes to, its timeline
            **{f"total:{label}": _counted(model, count) for label, model, count in TOTALS},
            **{f"outbox:{alias}": _backlog(alias) for alias in routing_map().outbox_aliases},
        }
    )
    sections["summary"] = summary
    sections["totals"] = [_total_row(label, model, sections.pop(f"total:{label}")) for label, model, _ in TOTALS]
    # Events waiting for analytics, per database they wait on (each guarded on its own).
    sections["outbox"] = [
        {"database": alias, "section": sections.pop(f"outbox:{alias}")} for alias in routing_map().outbox_aliases
    ]
    return sections


def _backlog(alias: str):
    return lambda: outbox_backlog(using=alias)


# Row counts per database, each counted where the router sends the read.
TOTALS = [
    ("Users", User, User.objects.count),
    ("Posts", Post, Post.objects.count),
    ("Events", Event, event_total),
    ("Cache entries", CacheEntry, cache_entry_count),
    ("Legacy customers", Customer, customer_count),
]


def _counted(model, count):
    """A task returning the count and the alias that served it."""
    return lambda: {"count": count(), "database": router.db_for_read(model)}


def _total_row(label: str, model, section: Section) -> dict:
    database = section.value["database"] if section.available else home_of(model)
    if section.available:
        section = Section(value=section.value["count"])
    return {"label": label, "database": database, "section": section}


def site_summary_cached() -> CacheEntry:
    """The expensive site-wide aggregates, computed at most once per DASHBOARD_CACHE_SECONDS."""
    return cache_entry_get_or_compute(
        key=SUMMARY_CACHE_KEY, ttl_seconds=settings.DASHBOARD_CACHE_SECONDS, compute=site_summary
    )


def site_summary() -> dict:
    published = Post.objects.filter(status=Post.Status.PUBLISHED).count()
    return {
        "published_posts": published,
        "draft_posts": Post.objects.count() - published,
        "events_30_days": event_counts_by_type(days=30),
    }
