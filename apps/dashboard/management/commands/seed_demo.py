from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from apps.dashboard import demo
from apps.dashboard.demo import SEEDERS


class Command(BaseCommand):
    help = (
        "Create demo data on every database, with accounts whose passwords are known. "
        "Development, tests and DJANGO_INSECURE_DEMO_MODE only. Idempotent: a second run adds nothing."
    )

    def handle(self, *args, **options):
        if not settings.INSECURE_DEMO_MODE:
            raise CommandError(
                "seed_demo creates accounts whose passwords are published (admin/admin): refused "
                "under these settings. It runs under config.settings.dev, or with "
                "DJANGO_INSECURE_DEMO_MODE=true on a site nobody else can reach."
            )
        for seed in SEEDERS:
            self.stdout.write(seed())
        self.stdout.write(self._logins())

    def _logins(self) -> str:
        """The demo accounts, as seed_users creates them, that exist: what to log in with."""
        candidates = [(demo.ADMIN_USERNAME, demo.ADMIN_PASSWORD, "superuser, /admin/")]
        candidates += [(username, demo.AUTHOR_PASSWORD, "author") for username, *_ in demo.AUTHORS]
        existing = set(
            get_user_model().objects.filter(username__in=[c[0] for c in candidates]).values_list("username", flat=True)
        )
        lines = [f"  {name} / {password}  ({role})" for name, password, role in candidates if name in existing]
        return "demo logins (local only):\n" + "\n".join(lines)
