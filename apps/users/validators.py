"""Password rules Django's own validators leave out."""

from django.core.exceptions import ValidationError


class NotBlankPasswordValidator:
    """Refuse a password made only of whitespace: twelve spaces are long, not secret."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError("This password is only spaces.", code="password_blank")

    def get_help_text(self):
        return "Your password can't be only spaces."


class NotUsernameRepeatedValidator:
    """Refuse a password that is the username, repeated or reversed ("alicealice").

    Django's similarity check compares the whole strings, so a repetition
    long enough for the length rule slips through it.
    """

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if not username:
            return
        compact = "".join(password.lower().split())
        leftover = compact.replace(username, "").replace(username[::-1], "")
        if len(leftover) < 4:
            raise ValidationError("This password is mostly your username.", code="password_is_username")

    def get_help_text(self):
        return "Your password can't be your username, repeated."


class MaximumLengthValidator:
    """Refuse passwords longer than any person types: megabytes of password are an attack on the hasher."""

    def __init__(self, max_length=1024):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is longer than {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self):
        return f"Your password can't be longer than {self.max_length} characters."
