from django.core.management import BaseCommand

from apps.dashboard.demo import SEEDERS


class Command(BaseCommand):
    help = "Create demo data on every database. Idempotent: a second run adds nothing."

    def handle(self, *args, **options):
        for seed in SEEDERS:
            self.stdout.write(seed())
