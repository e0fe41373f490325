"""Demo data across every database, created once: running it again changes nothing.

Each function seeds one database and returns a line saying what it did.

The data tells one coherent story: each account joined on its own day
(``JOINED_DAYS_AGO``), wrote and commented after that day, and each of its
events belongs to it and happened after it joined; page views come after
the post they view. The dashboard's cached summary is refreshed last, so
the cached and the live figures agree right after seeding.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from apps.analytics.models import Event
from apps.analytics.services import event_record
from apps.blog.models import Comment, Post
from apps.blog.services import comment_add, post_publish
from apps.cache.selectors import cache_entry_get
from apps.cache.services import cache_entry_put
from apps.dashboard.selectors import SUMMARY_CACHE_KEY, site_summary
from apps.legacy.schema import legacy_alias, legacy_schema_install, legacy_schema_present
from manydb import home_of

# Demo credentials, stated in the README. Local demo data only: never seed a
# site people can reach from outside.
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
AUTHOR_PASSWORD = "demo-password"
AUTHORS = [("alice", "Alice", "Liddell"), ("bob", "Bob", "Marley"), ("carol", "Carol", "Shaw")]
SEED_SESSION = "demo-seed"  # marks seeded events, so a second run can tell they exist
# When each demo account signed up: before any post, comment or event of theirs.
JOINED_DAYS_AGO = {ADMIN_USERNAME: 60, "alice": 45, "bob": 40, "carol": 35}

TOPICS = [
    "Routing reads to a replica",
    "Why users live on their own database",
    "Foreign keys across databases",
    "Reading a schema you do not own",
    "Caching aggregates in a database",
    "What a hot standby refuses",
    "Counting events without joining",
    "Migrations, one alias at a time",
    "Health checks that tell the truth",
    "Sessions next to their users",
    "Pagination on a replica",
    "The dashboard that survives an outage",
]


def seed_users() -> str:
    User = get_user_model()
    created = 0
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(
            ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD, date_joined=_joined(ADMIN_USERNAME)
        )
        created += 1
    for username, first, last in AUTHORS:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username,
                f"{username}@example.com",
                AUTHOR_PASSWORD,
                first_name=first,
                last_name=last,
                date_joined=_joined(username),
            )
            created += 1
    return f"users: {created} accounts created ({User.objects.count()} in total)"


def seed_posts() -> str:
    if Post.objects.using(home_of(Post)).exists():
        return "default: posts already present"
    User = get_user_model()
    authors = list(User.objects.filter(username__in=[a[0] for a in AUTHORS]).order_by("username"))
    rnd = random.Random(42)
    now = timezone.now()
    for n, topic in enumerate(TOPICS):
        author = authors[n % len(authors)]
        post = post_publish(
            author=author,
            title=topic,
            body=_body(topic, rnd),
            publish=n < len(TOPICS) - 3,  # the last three stay drafts
        )
        written = _between(rnd, author.date_joined, now - timedelta(days=2))
        _backdate_post(post, written)
        if post.is_published:
            for commenter in rnd.sample(authors, k=rnd.randint(0, 2)):
                comment = comment_add(post=post, author=commenter, body=f"Thanks for the write-up on {topic.lower()}.")
                _backdate_comment(comment, _between(rnd, max(written, commenter.date_joined), now))
    return f"default: {Post.objects.count()} posts, {Comment.objects.count()} comments created"


def seed_events(days: int = 30, count: int = 300) -> str:
    """Each account's sign-up and log-ins, and page views after the post they view.

    Every event with a user belongs to an account that existed when it
    happened; the posts' and comments' own events were recorded (and dated)
    by seed_posts.
    """
    if any(Event.objects.on_shard(alias).filter(session_key=SEED_SESSION).exists() for alias in Event.objects.shards()):
        return "analytics: events already present"
    users = list(get_user_model().objects.filter(is_active=True))
    posts = list(Post.objects.filter(status=Post.Status.PUBLISHED).values_list("pk", "slug", "published_at"))
    rnd = random.Random(7)
    now = timezone.now()
    since = now - timedelta(days=days)
    recorded = 0
    for user in users:
        _seed_event("user_registered", user.pk, "/accounts/signup/", {}, user.date_joined)
        recorded += 1
    while recorded < count:
        user = rnd.choice([*users, None])  # None: a visitor who is not logged in
        earliest = max(since, user.date_joined) if user else since
        if rnd.random() < 0.2 and user is not None:
            _seed_event("login", user.pk, "/accounts/login/", {}, _between(rnd, earliest, now))
        elif posts:
            post_id, slug, published_at = rnd.choice(posts)
            when = _between(rnd, max(earliest, published_at), now)
            _seed_event("page_view", user.pk if user else None, f"/blog/{slug}/", {"post_id": post_id}, when)
        recorded += 1
    return f"analytics: {recorded} events over {days} days created"


def seed_cache() -> str:
    created = 0
    if cache_entry_get(key="demo:welcome") is None:
        cache_entry_put(key="demo:welcome", value={"message": "Welcome to the demo"}, ttl_seconds=7 * 24 * 3600)
        created += 1
    # Django's database cache shares the cache database.
    cache.set("demo:seeded", True, timeout=None)
    # The dashboard's summary, computed now: cached figures from before the
    # demo data would contradict the live totals next to them.
    cache_entry_put(key=SUMMARY_CACHE_KEY, value=site_summary(), ttl_seconds=settings.DASHBOARD_CACHE_SECONDS)
    return f"cache: {created} entries created, django_cache warmed, dashboard summary refreshed"


def seed_legacy() -> str:
    if legacy_schema_present():
        return f"{legacy_alias()}: legacy tables present, left untouched"
    legacy_schema_install(with_sample_data=True)
    return f"{legacy_alias()}: legacy schema and sample rows installed"


SEEDERS = [seed_users, seed_posts, seed_events, seed_cache, seed_legacy]


def _joined(username: str):
    return timezone.now() - timedelta(days=JOINED_DAYS_AGO.get(username, 30))


def _between(rnd: random.Random, start, end):
    """A moment between start and end (start when the span is empty)."""
    span = max((end - start).total_seconds(), 0)
    return start + timedelta(seconds=rnd.uniform(0, span))


def _seed_event(event_type: str, user_id, path: str, data: dict, when) -> None:
    event_record(
        event_type=event_type, user_id=user_id, session_key=SEED_SESSION, path=path, data=data, occurred_at=when
    )


def _backdate_post(post: Post, when) -> None:
    """Move a just-published post (and its post_created event) to when it was written."""
    published_at = when if post.is_published else None
    Post.objects.using(home_of(Post)).filter(pk=post.pk).update(
        created_at=when, updated_at=when, published_at=published_at
    )
    post.created_at, post.published_at = when, published_at
    events = Event.objects.for_key(post.author_id).filter(user_id=post.author_id)
    events.filter(event_type="post_created", data__post_id=post.pk).update(occurred_at=when)


def _backdate_comment(comment: Comment, when) -> None:
    Comment.objects.using(home_of(Comment)).filter(pk=comment.pk).update(created_at=when)
    events = Event.objects.for_key(comment.author_id).filter(user_id=comment.author_id)
    events.filter(event_type="comment_added", data__comment_id=comment.pk).update(occurred_at=when)


def _body(topic: str, rnd: random.Random) -> str:
    sentences = [
        f"This post is about {topic.lower()}.",
        "Every table here lives on exactly one database, and the routing map says which.",
        "Reads may come from a replica; writes always go to the primary.",
        "Nothing joins across databases: each query stays on one server.",
        "The dashboard aggregates from all of them and survives any one being down.",
    ]
    return "\n\n".join(rnd.sample(sentences, k=4))
