"""Writes to the users database."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from apps.analytics.services import event_record_on_commit
from apps.users.models import User
from manydb import home_of

# Not a valid username for the sign-up form ([ and ] are refused), so no
# person can ever hold the account that keeps deleted accounts' posts.
GHOST_USERNAME = "[deleted]"


def user_register(*, username: str, email: str, password: str, session_key: str = "") -> User:
    """Create an account; its ``user_registered`` event commits with it.

    The event is written to the outbox on users, in the account's own
    transaction: either both exist or neither does. It reaches analytics
    after the commit, or later if analytics is down then (manydb.outbox).
    """
    alias = home_of(User)
    with transaction.atomic(using=alias):
        user = User.objects.create_user(username=username, email=email, password=password)
        event_record_on_commit(
            using=alias,
            event_type="user_registered",
            user_id=user.pk,
            session_key=session_key,
            path="/accounts/signup/",
        )
    return user


def user_delete(*, user: User) -> None:
    """Delete an account. Its posts and comments on default follow the blog's declared
    policies (apps.blog.apps), applied before the account row goes."""
    with transaction.atomic(using=home_of(User)):
        user.delete()


def user_ghost_get(*, using: str | None = None) -> User:
    """The inactive account that deleted accounts' posts are reassigned to.

    Made after every migrate of the users database (apps.users.apps), so it
    is committed before any deletion reassigns to it; made here as a last
    resort if someone removed it.
    """
    ghost, _ = User.objects.db_manager(using).get_or_create(
        username=GHOST_USERNAME,
        defaults={"is_active": False, "password": make_password(None), "first_name": "Deleted", "last_name": "user"},
    )
    return ghost
