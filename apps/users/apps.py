from django.apps import AppConfig
from django.db import router
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"

    def ready(self):
        post_migrate.connect(create_ghost_account, sender=self, dispatch_uid="users.create_ghost_account")


def create_ghost_account(sender, using, **kwargs):
    """After migrate (and after a test flush), like Django's content types: the
    account deleted accounts' posts go to exists before any deletion needs it."""
    from apps.users.models import User
    from apps.users.services import user_ghost_get

    if router.allow_migrate_model(using, User):
        user_ghost_get(using=using)
