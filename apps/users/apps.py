from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db import router
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"

    def ready(self):
        post_migrate.connect(create_ghost_account, sender=self, dispatch_uid="users.create_ghost_account")
        user_logged_in.connect(record_login, dispatch_uid="users.record_login")


def create_ghost_account(sender, using, **kwargs):
    """After migrate (and after a test flush), like Django's content types: the
    account deleted accounts' posts go to exists before any deletion needs it."""
    from apps.users.models import User
    from apps.users.services import user_ghost_get

    if router.allow_migrate_model(using, User):
        user_ghost_get(using=using)


def record_login(sender, request, user, **kwargs):
    """Every log-in, whichever view made it (the site's form, the admin's, sign-up's)."""
    from apps.users.services import user_login_record

    session_key = (request.session.session_key or "") if request is not None else ""
    path = request.path if request is not None else ""
    user_login_record(user=user, session_key=session_key, path=path)
