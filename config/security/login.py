"""How django-axes names the account a login attempt targets."""

from django.conf import settings

# axes' records keep the username in a 255-character column; a longer one
# would fail the insert (PostgreSQL refuses to truncate) and turn a failed
# login into a server error. Usernames here are at most 150 characters, so
# the cut never merges two real accounts' counters.
RECORDED_USERNAME_LENGTH = 255


def attempted_username(request, credentials: dict | None = None) -> str | None:
    """The username from the credentials or the posted form, cut to what axes can store."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(field)
    return username[:RECORDED_USERNAME_LENGTH] if isinstance(username, str) else username
