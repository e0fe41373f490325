"""Several hosts per alias in libpq's syntax: parsed, checked, and kept whole in a list of URLs."""

from pathlib import Path

import pytest

from manydb.topology.database_urls import DatabaseURLError, database_from_url, host_list, split_database_urls

BASE_DIR = Path(__file__).resolve().parents[3]


def parse(url):
    return database_from_url(url, alias="default", variable="DATABASE_URL", base_dir=BASE_DIR)


def test_hosts_and_ports_become_libpq_lists():
    config = parse("postgres://app:secret@db-a:5432,db-b:5433/blog?target_session_attrs=read-write")
    assert config["HOST"] == "db-a,db-b"
    assert config["PORT"] == "5432,5433"
    assert config["NAME"] == "blog" and config["USER"] == "app" and config["PASSWORD"] == "secret"
    assert config["OPTIONS"]["target_session_attrs"] == "read-write"
    assert host_list(config) == ["db-a:5432", "db-b:5433"]


def test_a_primary_url_reaches_the_read_write_server_unless_told_otherwise():
    assert parse("postgres://app@db-a,db-b/blog")["OPTIONS"]["target_session_attrs"] == "read-write"
    replica = parse("postgres://app@db-b,db-a/blog?target_session_attrs=prefer-standby")
    assert replica["OPTIONS"]["target_session_attrs"] == "prefer-standby"


def test_missing_ports_take_the_default_and_ipv6_hosts_lose_their_brackets():
    config = parse("postgres://app@[::1]:6000,db-b/blog")
    assert config["HOST"] == "::1,db-b"
    assert config["PORT"] == "6000,5432"
    assert parse("postgres://app@db-a,db-b/blog")["PORT"] == ""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgres://app@db-a,,db-b/blog", "an empty entry"),
        ("postgres://app@db-a,db-b:99999/blog", "'db-b:99999' is not a host[:port]"),
        ("postgres://app@db-a,db b/blog", "'db b' is not a host[:port]"),
        ("mysql://app@db-a,db-b/legacy", "PostgreSQL URLs only"),
        ("postgres://app@db-a,db-b/blog?target_session_attrs=rw", "target_session_attrs must be one of"),
        ("postgres://app@db-a,db-b/blog?load_balance_hosts=yes", "load_balance_hosts must be one of"),
    ],
)
def test_malformed_multi_host_urls_fail_in_one_line_naming_variable_and_alias(url, reason):
    with pytest.raises(DatabaseURLError) as raised:
        parse(url)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("DATABASE_URL (database alias 'default')")
    assert reason in message


def test_the_password_never_reaches_the_message():
    with pytest.raises(DatabaseURLError) as raised:
        parse("postgres://app:hunter2@db-a,,db-b/blog")
    assert "hunter2" not in str(raised.value)


def test_a_list_of_urls_keeps_each_multi_host_url_whole():
    value = "postgres://app@db-b:5432,db-a:5432/blog?target_session_attrs=prefer-standby, postgres://app@db-c/blog"
    assert split_database_urls(value) == [
        "postgres://app@db-b:5432,db-a:5432/blog?target_session_attrs=prefer-standby",
        "postgres://app@db-c/blog",
    ]
    assert split_database_urls("") == []
