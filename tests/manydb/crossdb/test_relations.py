"""System checks manydb.E002-E004: relations across databases declared the one way that works.

The models are made up in each test, in a registry of their own, with app
labels the routing map homes apart: "blog" lives on default, "analytics" on
analytics.
"""

import pytest
from django.core import checks
from django.db import models
from django.db.models.signals import pre_delete
from django.test.utils import isolate_apps

from manydb.crossdb import delete_policies as references
from manydb.crossdb.relations import relation_errors
from manydb.ops.checks import check_cross_database_relations


@pytest.fixture
def isolated():
    with isolate_apps("manydb", attr_name="registry") as registry:
        yield registry


@pytest.fixture
def declarations(monkeypatch):
    """Declarations made in a test, and the receivers they connect, are forgotten after it."""
    before = dict(references._declared)
    monkeypatch.setattr(references, "_declared", dict(before))
    yield
    for key, reference in references._declared.items():
        if key not in before:
            target = reference.target._meta.concrete_model
            pre_delete.disconnect(sender=target, dispatch_uid=f"manydb.crossdb.delete_policies:{target._meta.label}")


def target_and_holder(registry, **fk_options):
    class Account(models.Model):
        class Meta:
            apps = registry
            app_label = "analytics"

    class Note(models.Model):
        account = models.ForeignKey(Account, **fk_options)

        class Meta:
            apps = registry
            app_label = "blog"

    return Account, Note


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_a_foreign_key_with_a_constraint_is_reported(isolated):
    _, note = target_and_holder(isolated, on_delete=models.DO_NOTHING)
    errors = relation_errors([note])
    assert ids(errors) == ["manydb.E002"]
    assert "blog.Note.account (default -> analytics, analytics_2) crosses databases" in errors[0].msg
    assert "db_constraint=False" in errors[0].hint


def test_a_foreign_key_that_cascades_is_reported(isolated):
    _, note = target_and_holder(isolated, on_delete=models.CASCADE, db_constraint=False)
    assert ids(relation_errors([note])) == ["manydb.E002"]


def test_a_declared_foreign_key_without_a_delete_policy_is_reported(isolated, declarations):
    _, note = target_and_holder(isolated, on_delete=models.DO_NOTHING, db_constraint=False)
    errors = relation_errors([note])
    assert ids(errors) == ["manydb.E004"]
    assert "deleting a Account" in errors[0].msg


def test_a_foreign_key_declared_the_way_that_works_passes(isolated, declarations):
    account, note = target_and_holder(isolated, on_delete=models.DO_NOTHING, db_constraint=False)
    # A soft declaration does not count for a foreign key: deletions would not apply it.
    references.declare_soft(note, "account_id", to=account, on_dangling=references.DELETE)
    assert ids(relation_errors([note])) == ["manydb.E004"]
    references.declare(note, "account", on_delete=references.DELETE)
    assert relation_errors([note]) == []


def test_a_many_to_many_across_databases_is_reported(isolated):
    class Tag(models.Model):
        class Meta:
            apps = isolated
            app_label = "analytics"

    class Article(models.Model):
        tags = models.ManyToManyField(Tag)

        class Meta:
            apps = isolated
            app_label = "blog"

    errors = relation_errors([Article])
    assert ids(errors) == ["manydb.E003"]
    assert "many-to-many" in errors[0].msg


def test_relations_within_one_database_are_not_its_business(isolated):
    class Author(models.Model):
        class Meta:
            apps = isolated
            app_label = "blog"

    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        co_authors = models.ManyToManyField(Author, related_name="+")

        class Meta:
            apps = isolated
            app_label = "blog"

    assert relation_errors([Author, Book]) == []


def test_the_project_s_own_relations_pass():
    errors = check_cross_database_relations()
    assert [e for e in errors if e.level >= checks.ERROR] == []
