"""docker/mysql/10-legacy.sh against a fresh MariaDB server, as the mysql:8.4 image runs it.

The image's entrypoint initialises the data directory, starts a temporary
server, sets root's password, creates MYSQL_DATABASE, and then executes the
script with MYSQL_ROOT_PASSWORD and MYSQL_DATABASE exported; the script's
`mysql` finds that server's socket in the image's [client] settings, here in
MYSQL_UNIX_PORT. Only MariaDB is installed here, not MySQL 8.4: the README
says what that leaves unchecked.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.real.fresh_servers import DOCKER, REPO, free_port, run, stop_group, wait_until, write_script

MySQLdb = pytest.importorskip("MySQLdb", reason="the MySQL driver is not installed: make test-real installs it")

ROOT_PASSWORD = "local-only-mysql-root-password"
# Quotes and a backslash: the script must quote what it puts into SQL.
APP_USER, APP_PASSWORD = "legacy_app", "local-only 'legacy' \\ password"
DENIED = (1142, 1044)  # command denied on a table / access denied to a database


def find(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if not path:
        pytest.skip(f"{name} not found (apt-get install mariadb-server)")
    return path


@pytest.fixture(scope="module")
def legacy_server():
    """A fresh MariaDB server with the legacy schema loaded by 10-legacy.sh; yields its TCP port."""
    root = Path(tempfile.mkdtemp(prefix="myscript-", dir="/tmp"))
    data, socket_path, port = root / "data", root / "mysqld.sock", free_port()
    as_user = ["--user=root"] if os.geteuid() == 0 else []
    run(
        [find("mariadb-install-db"), "--no-defaults", f"--datadir={data}", *as_user, "--skip-test-db"]
        + ["--auth-root-authentication-method=normal"],
        {"PATH": os.environ["PATH"]},
    )
    server = subprocess.Popen(
        [find("mariadbd"), "--no-defaults", f"--datadir={data}", f"--socket={socket_path}", f"--port={port}"]
        + ["--bind-address=127.0.0.1", "--skip-name-resolve", f"--log-error={root / 'error.log'}", *as_user],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: _root(socket_path, "") is not None, 60, "MariaDB did not start")
        # What the entrypoint does before the init scripts: root's password,
        # MYSQL_DATABASE. (mysqld --initialize-insecure makes no anonymous accounts.)
        with _root(socket_path, "") as conn:
            cursor = conn.cursor()
            cursor.execute("DELETE FROM mysql.global_priv WHERE User = ''")
            cursor.execute("FLUSH PRIVILEGES")
            cursor.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", [ROOT_PASSWORD])
            cursor.execute("CREATE DATABASE legacy")
        client_dir = root / "bin"
        client_dir.mkdir()
        (client_dir / "mysql").symlink_to(find("mariadb"))  # the image's client is called mysql
        result = run(
            [str(write_script(root / "10-legacy.sh", (DOCKER / "mysql" / "10-legacy.sh").read_text()))],
            {
                "PATH": f"{client_dir}:{os.environ['PATH']}",
                "MYSQL_UNIX_PORT": str(socket_path),
                "MYSQL_ROOT_PASSWORD": ROOT_PASSWORD,
                "MYSQL_DATABASE": "legacy",
                "LEGACY_APP_USER": APP_USER,
                "LEGACY_APP_PASSWORD": APP_PASSWORD,
                "LEGACY_SQL_DIR": str(REPO / "apps" / "legacy" / "sql"),
            },
        )
        assert "with SELECT only on `legacy`" in result.stdout
        yield port
    finally:
        stop_group(server, sig=15)
        shutil.rmtree(root, ignore_errors=True)


def _root(socket_path, password):
    try:
        return MySQLdb.connect(unix_socket=str(socket_path), user="root", password=password)
    except MySQLdb.OperationalError:
        return None


@pytest.fixture
def app(legacy_server):
    """The application's account, over TCP as the site connects."""
    conn = MySQLdb.connect(
        host="127.0.0.1", port=legacy_server, user=APP_USER, password=APP_PASSWORD, database="legacy"
    )
    yield conn.cursor()
    conn.close()


def test_the_schema_and_sample_rows_are_loaded_and_readable(app):
    app.execute("SELECT COUNT(*) FROM customers")
    assert app.fetchone()[0] > 0
    app.execute("SELECT COUNT(*) FROM orders JOIN customers USING (cust_no)")
    assert app.fetchone()[0] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO customers (cust_nm, cntry_cd, crt_dt) VALUES ('x', 'US', NOW())",
        "DELETE FROM orders",
        "ALTER TABLE customers ADD COLUMN extra INT",
        "CREATE TABLE legacy.scratch (id INT)",
        "SELECT * FROM mysql.user",
    ],
)
def test_the_application_account_may_do_nothing_else(app, statement):
    with pytest.raises(MySQLdb.OperationalError) as raised:
        app.execute(statement)
    assert raised.value.args[0] in DENIED, raised.value
