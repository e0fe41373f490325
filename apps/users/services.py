"""Writes to the users database."""

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from apps.analytics.services import event_record_on_commit
from apps.users import selectors
from apps.users.models import User
from manydb import home_of

# Not a valid username for the sign-up form ([ and ] are refused), so no
# person can ever hold the account that keeps deleted accounts' posts.
GHOST_USERNAME = "[deleted]"


class AccountTaken(Exception):
    """Another account took this username or address first (two sign-ups at once)."""

    def __init__(self, *, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def user_register(*, username: str, email: str, password: str, session_key: str = "") -> User:
    """Create an account; its ``user_registered`` event commits with it.

    The event is written to the outbox on users, in the account's own
    transaction: either both exist or neither does. It reaches analytics
    after the commit, or later if analytics is down then (manydb.outbox).

    Raises AccountTaken when a concurrent sign-up won the username or the
    address between the form's check and this insert: the database's
    unique constraints decide, and the loser gets a form error, not a 500.
    """
    alias = home_of(User)
    try:
        with transaction.atomic(using=alias):
            user = User.objects.create_user(username=username, email=email, password=password)
            event_record_on_commit(
                using=alias,
                event_type="user_registered",
                user_id=user.pk,
                session_key=session_key,
                path="/accounts/signup/",
            )
    except IntegrityError:
        if selectors.user_username_taken(username=username):
            raise AccountTaken(field="username", message="A user with that username already exists.") from None
        if selectors.user_email_taken(email=email):
            raise AccountTaken(field="email", message="An account with this e-mail address already exists.") from None
        raise
    return user


def user_login_record(*, user: User, session_key: str = "", path: str = "") -> None:
    """Record a ``login`` event through the users database's outbox, as sign-up does.

    Called for every successful log-in (apps.users.apps connects it to
    ``user_logged_in``): the log-in form, the admin's, and the one after sign-up.
    """
    event_record_on_commit(using=home_of(User), event_type="login", user_id=user.pk, session_key=session_key, path=path)


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
