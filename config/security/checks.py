"""Deploy checks (``manage.py check --deploy``) for what Django's own do not cover."""

from django.conf import settings
from django.core import checks

from config.security.credentials import shipped_credentials


@checks.register(checks.Tags.security, deploy=True)
def check_no_shipped_credentials(app_configs, **kwargs):
    found = shipped_credentials(settings.SECRET_KEY, settings.DATABASES)
    if not found:
        return []
    return [
        checks.Error(
            f"These settings hold a credential this repository ships: {', '.join(found)}.",
            hint="Generate a secret key and real database passwords; set them in the environment.",
            id="site_security.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_not_demo_mode(app_configs, **kwargs):
    if not settings.INSECURE_DEMO_MODE:
        return []
    return [
        checks.Warning(
            "Insecure demo mode is on: known passwords are accepted and seed_demo creates known accounts.",
            hint="Unset DJANGO_INSECURE_DEMO_MODE for any site other people can reach.",
            id="site_security.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_hsts_preload(app_configs, **kwargs):
    # Browsers' preload lists require a max-age of at least a year.
    if settings.SECURE_HSTS_PRELOAD and settings.SECURE_HSTS_SECONDS < 365 * 24 * 3600:
        return [
            checks.Error(
                "SECURE_HSTS_PRELOAD is on with an HSTS max-age under a year.",
                hint="Preload lists require max-age >= 31536000; turn preload off or raise the max-age.",
                id="site_security.E002",
            )
        ]
    return []
