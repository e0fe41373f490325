from django.contrib.auth import get_user_model
from django.core.management import BaseCommand

from apps.dashboard import demo
from apps.dashboard.demo import SEEDERS


class Command(BaseCommand):
    help = "Create demo data on every database. Idempotent: a second run adds nothing."

    def handle(self, *args, **options):
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
