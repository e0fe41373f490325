"""The legacy schema that ships with the project, for databases that lack it.

In production the legacy database already exists; the embedded topology and
the test suite create it from the same SQL the MySQL container loads.
"""

from pathlib import Path

import sqlparse
from django.db import connections

from apps.legacy.models import Customer, Order
from manydb import home_of

SQL_DIR = Path(__file__).resolve().parent / "sql"
SCHEMA_FILES = {"sqlite": "schema.sqlite.sql", "mysql": "schema.mysql.sql"}


def legacy_alias() -> str:
    return home_of(Customer)


def legacy_schema_present(*, using: str | None = None) -> bool:
    connection = connections[using or legacy_alias()]
    tables = set(connection.introspection.table_names())
    return {Customer._meta.db_table, Order._meta.db_table} <= tables


def legacy_schema_install(*, using: str | None = None, with_sample_data: bool = True) -> None:
    """Create the legacy tables (and sample rows) from the shipped SQL."""
    connection = connections[using or legacy_alias()]
    if connection.vendor not in SCHEMA_FILES:
        raise NotImplementedError(f"No legacy schema ships for {connection.vendor}.")
    files = [SCHEMA_FILES[connection.vendor]] + (["sample_data.sql"] if with_sample_data else [])
    with connection.cursor() as cursor:
        for name in files:
            for statement in sqlparse.split((SQL_DIR / name).read_text()):
                if statement.strip().rstrip(";").strip():
                    cursor.execute(statement.rstrip().rstrip(";"))
