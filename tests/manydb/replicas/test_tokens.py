"""Read-your-writes tokens: only an intact, recent token of this site counts."""

import time

import pytest
from django.core import signing
from django.test import override_settings

from manydb.replicas import tokens


def test_round_trip():
    token = tokens.token_dumps({"default": (tokens.LSN, 123456)})
    assert tokens.token_loads(token, max_age=60) == {"default": ("lsn", 123456)}


def test_tampered_token_is_ignored():
    token = tokens.token_dumps({"default": (tokens.LSN, 1)})
    body, _, signature = token.rpartition(":")
    forged = body.replace(body[-2:], "xx") + ":" + signature
    assert tokens.token_loads(forged, max_age=60) == {}
    assert tokens.token_loads(token[:-1] + ("A" if token[-1] != "A" else "B"), max_age=60) == {}


def test_expired_token_is_ignored(monkeypatch):
    token = tokens.token_dumps({"default": (tokens.LSN, 1)})
    later = time.time() + 301
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert tokens.token_loads(token, max_age=300) == {}


def test_token_of_another_site_is_ignored():
    with override_settings(SECRET_KEY="another-site-entirely-0123456789-0123456789"):
        foreign = tokens.token_dumps({"default": (tokens.LSN, 1)})
    assert tokens.token_loads(foreign, max_age=60) == {}


def test_token_signed_for_another_purpose_is_ignored():
    other = signing.dumps({"default": ["lsn", 1]}, salt="something.else")
    assert tokens.token_loads(other, max_age=60) == {}


@pytest.mark.parametrize(
    "payload",
    [["lsn", 1], {"default": "lsn"}, {"default": ["lsn"]}, {"default": ["gtid", 5]}, {"default": ["lsn", "5"]}],
)
def test_well_signed_but_malformed_payloads_are_ignored(payload):
    token = signing.dumps(payload, salt=tokens.SALT)
    assert tokens.token_loads(token, max_age=60) == {}


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a:b:c", "é" * 50])
def test_garbage_is_ignored(garbage):
    assert tokens.token_loads(garbage, max_age=60) == {}


def test_merge_keeps_the_later_write():
    old = {"default": (tokens.LSN, 10), "other": (tokens.LSN, 7)}
    new = {"default": (tokens.LSN, 20)}
    assert tokens.merge(old, new) == {"default": ("lsn", 20), "other": ("lsn", 7)}
    assert tokens.merge(new, {"default": (tokens.LSN, 5)}) == {"default": ("lsn", 20)}
