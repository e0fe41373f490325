"""Refuse a query that would join tables of two databases, before it reaches either.

Django writes each statement for one connection. A join between a table on
``default`` and one on ``users`` is sent to one of them, which lacks the
other's table (or, worse, has a stale copy). Django cannot tell: it does not
know where tables live. The routing map does, so every statement is checked
as it is compiled:

- the tables joined in one FROM clause must share a home: this catches
  filter, exclude, order_by, values, select_related and annotate through a
  relation that crosses databases, in either direction;
- a query nested in another (``filter(author_id__in=queryset)``,
  ``Exists(...)``, or the subquery Django writes for ``exclude()`` across a
  reverse relation) must share the outer query's home.

Why at compile time and not in ``Query.join()``: Django adds a join for every
relation a lookup names and trims it again when the lookup needs only the
local column (``filter(author=user)``, ``author_id=``, ``author__in=[...]``,
``author__pk=``, ``values("author")``). Only when the FROM clause is written
is it known which joins remain. That is still before any SQL is sent.

The error is a FieldError, like Django's other "this query cannot be built"
errors: a programming mistake, which ``guarded()`` and the 503 middleware
(they catch DatabaseError) must not mistake for a database outage.
"""

from functools import cache, wraps

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.datastructures import Join
from django.db.models.sql.query import Query

from manydb.debugging.capture import note_refused_join
from manydb.topology.routing_map import routing_map


class CrossDatabaseJoinError(FieldError):
    """A query would join, or nest, tables that live on different databases."""


def install() -> None:
    """Wrap the two places Django writes a FROM clause. Called once, from MultiDBConfig.ready()."""
    if getattr(SQLCompiler.get_from_clause, "manydb_guard", False):
        return
    SQLCompiler.get_from_clause = _checking_joins(SQLCompiler.get_from_clause)
    Query.as_sql = _checking_nesting(Query.as_sql)


def check_joins(query: Query) -> None:
    """Raise CrossDatabaseJoinError if two tables the statement joins live apart."""
    for alias, entry in query.alias_map.items():
        if not isinstance(entry, Join) or not query.alias_refcount[alias]:
            continue  # the base table, or a join Django trimmed away
        parent = query.alias_map.get(entry.parent_alias)
        if parent is not None:
            _refuse_if_apart(model_of(parent.table_name), model_of(entry.table_name), nested=False)


def check_nesting(*, outer: Query, inner: Query) -> None:
    """Raise CrossDatabaseJoinError if ``inner``, compiled inside ``outer``, lives elsewhere."""
    _refuse_if_apart(_query_model(outer), _query_model(inner), nested=True)


def model_of(table: str):
    """The model whose table this is, or None for tables no installed model owns."""
    return _models_by_table().get(table)


@cache
def _models_by_table() -> dict:
    found = {}
    for model in apps.get_models(include_auto_created=True):
        found.setdefault(model._meta.db_table, model._meta.concrete_model)
    return found


def _query_model(query: Query):
    # The first table the statement really uses: for exclude() across a
    # reverse relation Django trims the query's own model out of the subquery.
    for alias, entry in query.alias_map.items():
        if query.alias_refcount[alias]:
            return model_of(entry.table_name)
    return query.model


def _refuse_if_apart(source, target, *, nested: bool) -> None:
    if source is None or target is None:
        return
    homes = routing_map()
    source_home = homes.place_of(source._meta.app_label)
    target_home = homes.place_of(target._meta.app_label)
    if source_home == target_home:
        return
    how = "a query cannot contain a subquery on the other" if nested else "a query cannot join them"
    error = CrossDatabaseJoinError(
        f"{source.__name__} -> {target.__name__} crosses databases "
        f"({source._meta.label} on '{source_home}', {target._meta.label} on '{target_home}'): "
        f"{how}. Query in two steps: {two_step_hint(source, target)}"
    )
    note_refused_join(str(error))  # the development panel's record; nothing otherwise
    raise error


def two_step_hint(source, target) -> str:
    """The two queries that replace a join from ``source`` to ``target``."""
    for holder, other, reverse in ((source, target, False), (target, source, True)):
        for field in holder._meta.concrete_fields:
            if field.is_relation and field.related_model and issubclass(other, field.related_model):
                if reverse:  # target holds the foreign key: collect its ids of source rows
                    return (
                        f"ids = {target.__name__}.objects.filter(...).values_list('{field.attname}', flat=True); "
                        f"{source.__name__}.objects.filter(pk__in=list(ids))"
                    )
                return (
                    f"ids = {target.__name__}.objects.filter(...).values_list('pk', flat=True); "
                    f"{source.__name__}.objects.filter({field.attname}__in=list(ids))"
                )
    return (
        f"evaluate the {target.__name__} query first (list(...) of its ids), "
        f"then filter {source.__name__} by those values"
    )


def _checking_joins(get_from_clause):
    @wraps(get_from_clause)
    def get_from_clause_checked(compiler):
        check_joins(compiler.query)
        return get_from_clause(compiler)

    get_from_clause_checked.manydb_guard = True
    return get_from_clause_checked


def _checking_nesting(as_sql):
    # Query.as_sql is what compiles a query as an expression inside another.
    @wraps(as_sql)
    def as_sql_checked(query, compiler, connection):
        check_nesting(outer=compiler.query, inner=query)
        return as_sql(query, compiler, connection)

    return as_sql_checked
