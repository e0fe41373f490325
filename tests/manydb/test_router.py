"""The router's answers for every app and operation, straight from the routing map."""

import pytest
from django.apps import apps
from django.db import connections, router

from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, REPLICA, USERS
from manydb.router import RoutingMapRouter
from manydb.scope.state import routing_scope
from manydb.topology.routing_map import routing_map

ANALYTICS_SHARDS = routing_map().shards_of(ANALYTICS)

HOMES = {
    "users": USERS,
    "auth": USERS,
    "contenttypes": USERS,
    "sessions": USERS,
    "admin": USERS,
    "blog": DEFAULT,
    "analytics": ANALYTICS_SHARDS,  # sharded: tests/manydb/sharding route its rows by key
    "cache": CACHE,
    "legacy": LEGACY,
}
MODELS = [model for model in apps.get_models() if isinstance(HOMES.get(model._meta.app_label), str)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_writes_go_to_the_home(model):
    assert router.db_for_write(model) == HOMES[model._meta.app_label]


@pytest.mark.django_db(transaction=True, databases="__all__")  # the replica is probed
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_reads_go_to_a_replica_only_for_homes_that_have_one(model):
    with routing_scope():
        expected = REPLICA if HOMES[model._meta.app_label] == DEFAULT else HOMES[model._meta.app_label]
        assert router.db_for_read(model) == expected


@pytest.mark.parametrize("app_label", sorted(HOMES))
def test_each_app_migrates_on_its_home_only(app_label):
    allowed = [alias for alias in connections if RoutingMapRouter().allow_migrate(alias, app_label)]
    home = HOMES[app_label]
    expected = [] if home == LEGACY else list(home) if isinstance(home, tuple) else [home]
    assert allowed == expected


def test_replica_and_legacy_never_migrate():
    for app_label in [*HOMES, "django_cache", "unknown_app"]:
        assert RoutingMapRouter().allow_migrate(REPLICA, app_label) is False
        assert RoutingMapRouter().allow_migrate(LEGACY, app_label) is False


def test_database_cache_table_is_created_on_cache_only():
    from django.core.cache import cache

    allowed = [a for a in connections if router.allow_migrate_model(a, cache.cache_model_class)]
    assert allowed == [CACHE]


def test_unmapped_apps_live_on_default():
    assert routing_map().home_of("some_third_party_app") == DEFAULT


def test_relations_allowed_within_a_database_and_for_declared_cross_database_fields():
    from apps.analytics.models import Event
    from apps.blog.models import Comment, Post
    from apps.legacy.models import Customer
    from apps.users.models import User

    r = RoutingMapRouter()
    assert r.allow_relation(Post(), Comment()) is True  # same database
    assert r.allow_relation(Post(), User()) is True  # Post.author: db_constraint=False
    assert r.allow_relation(User(), Comment()) is True  # Comment.author, either order
    assert r.allow_relation(Post(), Event()) is False  # nothing declared
    assert r.allow_relation(User(), Customer()) is False


def test_relation_with_a_lazy_user_is_judged_by_the_real_model():
    """request.user is a SimpleLazyObject; assigning it as an author must still work."""
    from django.utils.functional import SimpleLazyObject

    from apps.blog.models import Post
    from apps.users.models import User

    assert RoutingMapRouter().allow_relation(SimpleLazyObject(User), Post()) is True
