"""Writes to the users database."""

from django.db import router, transaction

from apps.analytics.services import event_record
from apps.users.models import User


def user_register(*, username: str, email: str, password: str, session_key: str = "") -> User:
    """Create an account and record ``user_registered``."""
    with transaction.atomic(using=router.db_for_write(User)):
        user = User.objects.create_user(username=username, email=email, password=password)
    event_record(event_type="user_registered", user_id=user.pk, session_key=session_key, path="/accounts/signup/")
    return user
