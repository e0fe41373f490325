"""Database drivers: each configured engine's driver must be importable.

Django imports a backend's driver on the first query, and a missing one then
surfaces as a traceback in the middle of whatever ran first. Optional drivers
(the MySQL one compiles C code, so a site on SQLite or PostgreSQL need not
install it) are checked once at start-up instead, and a missing one is a
one-line DatabaseURLError naming the alias and what to install.
"""

import importlib

from manydb.topology.database_urls import MYSQL, POSTGRESQL, DatabaseURLError

# engine -> (module Django's backend imports, what to install, the engine's name for people)
DRIVERS = {
    MYSQL: ("MySQLdb", "mysqlclient", "MySQL"),
    POSTGRESQL: ("psycopg", "psycopg[binary]", "PostgreSQL"),
}


def require_drivers(databases: dict) -> None:
    """Raise DatabaseURLError for the first alias whose engine's driver cannot be imported."""
    for alias, config in databases.items():
        module, package, name = DRIVERS.get(config.get("ENGINE"), (None, None, None))
        if module is None:
            continue
        try:
            importlib.import_module(module)
        except ImportError:
            raise DatabaseURLError(
                f"database alias '{alias}' is on {name}, but its driver is not installed "
                f"(no module {module!r}): pip install {package}"
            ) from None
