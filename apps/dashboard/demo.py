"""Demo data across every database, created once: running it again changes nothing.

Each function seeds one database and returns a line saying what it did.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from apps.analytics.models import Event
from apps.analytics.services import event_record
from apps.blog.models import Comment, Post
from apps.blog.services import comment_add, post_publish
from apps.cache.selectors import cache_entry_get
from apps.cache.services import cache_entry_put
from apps.legacy.schema import legacy_alias, legacy_schema_install, legacy_schema_present
from manydb import home_of

# Demo credentials, stated in the README. Local demo data only: never seed a
# site people can reach from outside.
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
AUTHOR_PASSWORD = "demo-password"
AUTHORS = [("alice", "Alice", "Liddell"), ("bob", "Bob", "Marley"), ("carol", "Carol", "Shaw")]
SEED_SESSION = "demo-seed"  # marks seeded events, so a second run can tell they exist

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
        User.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
        created += 1
    for username, first, last in AUTHORS:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username, f"{username}@example.com", AUTHOR_PASSWORD, first_name=first, last_name=last
            )
            created += 1
    return f"users: {created} accounts created ({User.objects.count()} in total)"


def seed_posts() -> str:
    if Post.objects.using(home_of(Post)).exists():
        return "default: posts already present"
    User = get_user_model()
    authors = list(User.objects.filter(username__in=[a[0] for a in AUTHORS]).order_by("username"))
    rnd = random.Random(42)
    for n, topic in enumerate(TOPICS):
        post = post_publish(
            author=authors[n % len(authors)],
            title=topic,
            body=_body(topic, rnd),
            publish=n < len(TOPICS) - 3,  # the last three stay drafts
        )
        if post.is_published:
            for commenter in rnd.sample(authors, k=rnd.randint(0, 2)):
                comment_add(post=post, author=commenter, body=f"Thanks for the write-up on {topic.lower()}.")
    return f"default: {Post.objects.count()} posts, {Comment.objects.count()} comments created"


def seed_events(days: int = 30, count: int = 300) -> str:
    if Event.objects.filter(session_key=SEED_SESSION).exists():
        return "analytics: events already present"
    User = get_user_model()
    user_ids = list(User.objects.values_list("pk", flat=True))
    posts = list(Post.objects.filter(status=Post.Status.PUBLISHED).values_list("pk", "slug"))
    rnd = random.Random(7)
    now = timezone.now()
    weights = {"page_view": 8, "login": 2, "post_created": 1, "user_registered": 1}
    for _ in range(count):
        event_type = rnd.choices(list(weights), weights=list(weights.values()))[0]
        post_id, slug = rnd.choice(posts) if posts else (None, "")
        event_record(
            event_type=event_type,
            user_id=rnd.choice(user_ids + [None]),
            session_key=SEED_SESSION,
            path=f"/blog/{slug}/" if event_type == "page_view" else "/",
            data={"post_id": post_id} if event_type == "page_view" else {},
            occurred_at=now - timedelta(seconds=rnd.randint(0, days * 24 * 3600)),
        )
    return f"analytics: {count} events over {days} days created"


def seed_cache() -> str:
    created = 0
    if cache_entry_get(key="demo:welcome") is None:
        cache_entry_put(key="demo:welcome", value={"message": "Welcome to the demo"}, ttl_seconds=7 * 24 * 3600)
        created += 1
    # Django's database cache shares the cache database.
    cache.set("demo:seeded", True, timeout=None)
    return f"cache: {created} entries created, django_cache warmed"


def seed_legacy() -> str:
    if legacy_schema_present():
        return f"{legacy_alias()}: legacy tables present, left untouched"
    legacy_schema_install(with_sample_data=True)
    return f"{legacy_alias()}: legacy schema and sample rows installed"


SEEDERS = [seed_users, seed_posts, seed_events, seed_cache, seed_legacy]


def _body(topic: str, rnd: random.Random) -> str:
    sentences = [
        f"This post is about {topic.lower()}.",
        "Every table here lives on exactly one database, and the routing map says which.",
        "Reads may come from a replica; writes always go to the primary.",
        "Nothing joins across databases: each query stays on one server.",
        "The dashboard aggregates from all of them and survives any one being down.",
    ]
    return "\n\n".join(rnd.sample(sentences, k=4))
