"""The application's MySQL account may read the legacy schema and nothing more."""

import os

import dj_database_url
import pytest

# The MySQL driver is installed where MySQL is used (make test-real), not by make test.
MySQLdb = pytest.importorskip("MySQLdb", reason="the MySQL driver is not installed: make test-real installs it")

DENIED = 1142  # ER_TABLEACCESS_DENIED_ERROR: "command denied to user"


@pytest.fixture
def app_connection():
    """The app's own account on the real legacy database (not the test copy)."""
    config = dj_database_url.parse(os.environ["LEGACY_DATABASE_URL"])
    connection = MySQLdb.connect(
        host=config["HOST"],
        port=int(config["PORT"]),
        user=config["USER"],
        password=config["PASSWORD"],
        database=config["NAME"],
    )
    yield connection
    connection.close()


def test_app_user_can_read(app_connection):
    cursor = app_connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM customers")
    assert cursor.fetchone()[0] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO customers (cust_nm, cntry_cd, crt_dt) VALUES ('x', 'US', NOW())",
        "UPDATE orders SET stat_cd = 'C'",
        "DELETE FROM orders",
        "ALTER TABLE customers ADD COLUMN extra INT",
        "DROP TABLE orders",
        "CREATE TABLE sneaky (id INT)",
    ],
)
def test_app_user_cannot_write_or_alter(app_connection, statement):
    with pytest.raises(MySQLdb.OperationalError) as raised:
        app_connection.cursor().execute(statement)
    assert raised.value.args[0] == DENIED, raised.value
