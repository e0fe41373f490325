from django.conf import settings
from django.core.management import BaseCommand, CommandError

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
