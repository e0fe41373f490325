"""The one place the settings read the process environment.

Every variable goes through one of these helpers, so `names_read()` can tell
deployment tooling (and the compose-file test) exactly which variables a
settings module depends on. Nothing here is Django-specific.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_READ: set[str] = set()


def names_read() -> list[str]:
    """Every environment variable the settings have asked for so far."""
    return sorted(_READ)


def string(name: str, default: str | None = None) -> str | None:
    _READ.add(name)
    value = os.environ.get(name)
    return default if value in (None, "") else value


def required(name: str) -> str:
    value = string(name)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def boolean(name: str, default: bool = False) -> bool:
    value = string(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def integer(name: str, default: int) -> int:
    value = string(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def number(name: str, default: float) -> float:
    value = string(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def csv(name: str, default: str = "") -> list[str]:
    value = string(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def mapping(name: str) -> dict[str, str]:
    """``key=value,key=value`` as a dict (empty when unset)."""
    result = {}
    for item in csv(name):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name} must be a list of key=value pairs separated by commas, not {item!r}.")
        result[key.strip()] = value.strip()
    return result
