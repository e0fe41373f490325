"""Credentials this repository ships, and the refusal to run production with them.

Everything the repository writes down as a secret (the settings' local key,
docker-compose.yml and .env.example defaults, scripts/devdb's accounts) is
public: anyone who cloned it knows them. Each is marked ``local-only`` or
``django-insecure``, and tests/config/security/test_credentials.py fails if a
secret-like value in those files is not recognised here.
"""

from django.core.exceptions import ImproperlyConfigured

SHIPPED_MARKERS = ("local-only", "django-insecure")

# Spelled out as well, so renaming a marker cannot quietly let one through.
SHIPPED_SECRETS = frozenset(
    {
        "django-insecure-local-only-do-not-deploy",
        "local-only-insecure-secret-key-change-me-for-any-real-deployment",
        "local-only-postgres-password",
        "local-only-postgres-superuser-password",
        "local-only-replication-password",
        "local-only-mysql-root-password",
        "local-only-legacy-app-password",
        "postgres-local-only",
        "site-local-only",
        "replicator-local-only",
        "legacy-local-only",
    }
)


def is_shipped(value: str | None) -> bool:
    """True for a secret anyone with this repository knows."""
    if not value:
        return False
    lowered = value.lower()
    return value in SHIPPED_SECRETS or any(marker in lowered for marker in SHIPPED_MARKERS)


def shipped_credentials(secret_key: str, databases: dict) -> list[str]:
    """Names of the settings that hold a shipped secret: ``SECRET_KEY``, ``DATABASES['users']``..."""
    found = ["SECRET_KEY (DJANGO_SECRET_KEY)"] if is_shipped(secret_key) else []
    for alias, config in databases.items():
        if is_shipped(config.get("PASSWORD")):
            found.append(f"DATABASES[{alias!r}] password")
    return found


def refuse_shipped_credentials(secret_key: str, databases: dict) -> None:
    """Stop the process when production settings hold a secret from this repository."""
    found = shipped_credentials(secret_key, databases)
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: these settings hold a credential this repository ships, "
            f"which anyone can read: {', '.join(found)}. Set real secrets in the environment "
            "(see README, Security), or set DJANGO_INSECURE_DEMO_MODE=true for a local demo."
        )
