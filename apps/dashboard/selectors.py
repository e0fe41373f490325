"""The dashboard's reads: one guarded section per piece, so one dead or slow
database costs its own sections, never the page.

Everybody sees their own sections (their posts, their events); the
site-wide ones (revenue, totals, replicas, outbox, the topology and charts)
are for staff, and are not even computed for anybody else.
"""

from django.conf import settings
from django.db import connections, router

from apps.analytics.models import Event
from apps.analytics.selectors import (
    event_counts_by_type,
    event_counts_by_type_site_wide,
    event_counts_per_day,
    event_total,
)
from apps.blog.models import Post
from apps.blog.selectors import posts_by_author, posts_per_week
from apps.cache.models import CacheEntry
from apps.cache.selectors import cache_entry_count
from apps.cache.services import cache_entry_get_or_compute
from apps.legacy.models import Customer
from apps.legacy.selectors import customer_count, legacy_revenue
from apps.users.models import User
from manydb import (
    Section,
    check_alias,
    database_size,
    guarded_all,
    home_of,
    outbox_backlog,
    primary_report,
    replica_report,
    routing_map,
    shard_results,
    shard_tasks,
)

SUMMARY_CACHE_KEY = "dashboard:site-summary"


def dashboard_sections(*, user, run_all=guarded_all) -> dict:
    """The sections ``user`` may see, computed at once; ``run_all`` runs a dict of tasks."""
    own = {
        "recent_posts": lambda: posts_by_author(author_id=user.pk),
        "my_events": lambda: event_counts_by_type(user_id=user.pk, days=30),
    }
    if not user.is_staff:
        return run_all(own)
    # The cached summary first: it may add a cache entry, which the totals then count.
    summary = run_all({"summary": site_summary_cached})
    sections = run_all({**own, **site_tasks()}) | summary
    # Sections over a sharded model ran once per shard: merged here, each shard's state kept.
    per_day = shard_results(sections, Event, "events_per_day").as_section(name="events_per_day")
    if per_day.available:
        per_day.value = dict(sorted(per_day.value.items()))
    sections["events_per_day"] = per_day
    event_totals = shard_results(sections, Event, "total:Events")
    sections["totals"] = [
        _total_row(
            label, model, event_totals.as_section(name=label) if model is Event else sections.pop(f"total:{label}")
        )
        for label, model, _ in TOTALS
    ]
    # Events waiting for analytics, per database they wait on (each guarded on its own).
    sections["outbox"] = [
        {"database": alias, "section": sections.pop(f"outbox:{alias}")} for alias in routing_map().outbox_aliases
    ]
    sections["databases"] = {alias: sections.pop(f"database:{alias}") for alias in connections}
    # Each analytics shard: its events, and its state and size (from its database probe).
    sections["shards"] = [
        {"database": alias, "events": event_totals[alias], "section": sections["databases"][alias]}
        for alias in Event.objects.shards()
    ]
    return sections


def site_tasks() -> dict:
    """The staff-only sections, by name."""
    return {
        "revenue": legacy_revenue,
        "replicas": replica_report,
        "primaries": primary_report,  # which server each alias writes to, its timeline
        **shard_tasks(Event, "events_per_day", lambda alias: event_counts_per_day(days=30)),
        "posts_per_week": lambda: posts_per_week(weeks=12),
        **{f"total:{label}": _counted(model, count) for label, model, count in TOTALS if model is not Event},
        **shard_tasks(Event, "total:Events", lambda alias: event_total()),
        **{f"outbox:{alias}": _backlog(alias) for alias in routing_map().outbox_aliases},
        **{f"database:{alias}": _database(alias) for alias in connections},
    }


def _backlog(alias: str):
    return lambda: outbox_backlog(using=alias)


def _database(alias: str):
    """A task: the alias's health (engine, latency) and, when it answers, its size."""

    def task():
        health = check_alias(alias)
        return {"health": health, "size": database_size(alias) if health.ok else None}

    return task


# Row counts per database, each counted where the router sends the read
# (events: on each shard, added up).
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
    if section.shards:  # merged from every shard
        return {"label": label, "database": ", ".join(section.shards), "section": section}
    database = section.value["database"] if section.available else home_of(model)
    if section.available:
        section.value = section.value["count"]
    return {"label": label, "database": database, "section": section}


def site_summary_cached() -> CacheEntry:
    """The expensive site-wide aggregates, computed at most once per DASHBOARD_CACHE_SECONDS."""
    return cache_entry_get_or_compute(
        key=SUMMARY_CACHE_KEY, ttl_seconds=settings.DASHBOARD_CACHE_SECONDS, compute=site_summary
    )


def site_summary() -> dict:
    published = Post.objects.filter(status=Post.Status.PUBLISHED).count()
    events, missing = event_counts_by_type_site_wide(days=30)
    return {
        "published_posts": published,
        "draft_posts": Post.objects.count() - published,
        "events_30_days": events,
        "events_missing_shards": missing,  # shards that could not answer: not counted
    }
