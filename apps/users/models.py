from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """The site's account. Lives on the users database with auth, sessions and admin.

    A custom model from day one: changing AUTH_USER_MODEL later is a migration
    nobody wants to write.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # One account per address, however it is capitalised. Accounts
            # without an address (the "[deleted]" account, a superuser made
            # without one) are left out: blank is not an address.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="users_user_email_ci_unique",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)
