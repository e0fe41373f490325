"""Reads of account data."""

from apps.users.models import User
from manydb import home_of


def user_email_taken(*, email: str) -> bool:
    """Whether any account has this address, whatever its capitalisation.

    Asked of the primary: an account made a moment ago must count.
    """
    return User.objects.using(home_of(User)).filter(email__iexact=email).exists()


def user_username_taken(*, username: str) -> bool:
    return User.objects.using(home_of(User)).filter(username=username).exists()
