"""config/gunicorn.conf.py: loopback outside a container, forwarded headers from the trusted proxies only."""

import os
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
CONTAINER_MARKERS = ("/.dockerenv", "/run/.containerenv")


def load(monkeypatch, *, in_container: bool, **environment) -> dict:
    for name in ("GUNICORN_BIND", "PORT", "DJANGO_TRUSTED_PROXIES", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    real_exists = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda p: in_container if p in CONTAINER_MARKERS else real_exists(p))
    return runpy.run_path(str(CONF))


def test_outside_a_container_it_listens_on_loopback_only(monkeypatch):
    assert load(monkeypatch, in_container=False)["bind"] == "127.0.0.1:8000"


def test_in_a_container_it_listens_on_every_interface(monkeypatch):
    assert load(monkeypatch, in_container=True, PORT="9000")["bind"] == "0.0.0.0:9000"


@pytest.mark.parametrize("in_container", [True, False])
def test_an_explicit_bind_wins(monkeypatch, in_container):
    assert load(monkeypatch, in_container=in_container, GUNICORN_BIND="10.0.0.5:8000")["bind"] == "10.0.0.5:8000"


def test_forwarded_headers_are_allowed_from_the_trusted_proxies_only(monkeypatch):
    assert load(monkeypatch, in_container=True)["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert load(monkeypatch, in_container=True, DJANGO_TRUSTED_PROXIES="10.0.0.2")["forwarded_allow_ips"] == "10.0.0.2"
