"""One inspector per engine, behind one interface (see base.Inspector)."""

from django.db import connections

from manydb.maintenance.engines.base import Inspector, SlowQueries
from manydb.maintenance.engines.mysql import MySQLInspector
from manydb.maintenance.engines.postgresql import PostgreSQLInspector
from manydb.maintenance.engines.sqlite import SQLiteInspector

_BY_VENDOR = {"postgresql": PostgreSQLInspector, "mysql": MySQLInspector, "sqlite": SQLiteInspector}


def inspector(alias: str) -> Inspector:
    """The inspector for the alias's engine (the generic one, which knows little, for others)."""
    return _BY_VENDOR.get(connections[alias].vendor, Inspector)(alias)


__all__ = ["Inspector", "SlowQueries", "inspector"]
