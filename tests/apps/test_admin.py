"""The admin: every database's models administrable, each write on its home database."""

import pytest
from django.contrib import admin
from django.db import connections
from django.urls import reverse

from apps.blog.models import Post
from apps.legacy.models import Customer
from config.aliases import DEFAULT, USERS
from tests.factories import post_create, user_create

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def admin_client(client):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_renders(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_post_change_page_renders_with_its_cross_database_author(admin_client, alice):
    post = post_create(author=alice)
    response = admin_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert "Alice Liddell" in response.content.decode()  # the raw-id widget looked the author up on users


def test_adding_a_post_writes_it_on_default_and_the_log_entry_on_users(admin_client, alice):
    response = admin_client.post(
        reverse("admin:blog_post_add"),
        {
            "title": "From the admin",
            "slug": "from-the-admin",
            "body": "Body",
            "author": alice.pk,
            "status": "published",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("SELECT author_id FROM blog_post WHERE slug = 'from-the-admin'")
        assert cursor.fetchone() == (alice.pk,)
    with connections[USERS].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_admin_log WHERE object_repr = 'From the admin'")
        assert cursor.fetchone() == (1,)


def test_admin_rejects_an_author_that_does_not_exist(admin_client):
    response = admin_client.post(
        reverse("admin:blog_post_add"),
        {
            "title": "Orphan",
            "slug": "orphan",
            "body": "B",
            "author": 999999,
            "status": "draft",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "author" in response.context["adminform"].form.errors
    assert not Post.objects.filter(slug="orphan").exists()


def test_legacy_models_are_read_only_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:legacy_customer_add")).status_code == 403
    response = admin_client.get(reverse("admin:legacy_customer_change", args=[1]))
    assert response.status_code == 200
    assert Customer.objects.get(pk=1).name in response.content.decode()


def test_events_are_listed_one_shard_at_a_time_and_each_opens_on_its_own(admin_client):
    from apps.analytics.models import Event
    from tests.factories import event_create, user_id_on_shard

    shards = Event.objects.shards()
    events = {alias: event_create(user_id=user_id_on_shard(alias), path=f"/on/{alias}/") for alias in shards}
    changelist = reverse("admin:analytics_event_changelist")
    first = admin_client.get(changelist).content.decode()  # the first shard unless another is chosen
    assert f"/on/{shards[0]}/" in first and f"/on/{shards[1]}/" not in first
    second = admin_client.get(changelist, {"shard": shards[1]}).content.decode()
    assert f"/on/{shards[1]}/" in second and f"/on/{shards[0]}/" not in second
    for alias, event in events.items():  # the change page finds the shard from the id
        response = admin_client.get(reverse("admin:analytics_event_change", args=[event.pk]))
        assert response.status_code == 200 and f"/on/{alias}/" in response.content.decode()
    deleted = admin_client.post(reverse("admin:analytics_event_delete", args=[events[shards[1]].pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert not Event.objects.on_shard(shards[1]).exists() and Event.objects.on_shard(shards[0]).exists()
