from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The site's account. Lives on the users database with auth, sessions and admin.

    A custom model from day one: changing AUTH_USER_MODEL later is a migration
    nobody wants to write.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)
