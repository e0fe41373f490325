from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.validators import ASCIIUsernameValidator

from apps.users import selectors
from apps.users.models import User

EMAIL_TAKEN = "An account with this e-mail address already exists."


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True, max_length=254)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ASCII letters, digits and @.+-_ only: a Cyrillic "аlice" would look
        # exactly like "alice" to everyone reading a post's byline.
        self.fields["username"].validators.append(ASCIIUsernameValidator())
        self.fields["username"].help_text = "150 characters or fewer: English letters, digits and @ . + - _ only."

    def clean_username(self):
        username = super().clean_username()
        # "Alice" next to "alice" is the same look-alike problem in ASCII.
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that username already exists.", code="unique")
        return username

    def clean_email(self):
        # Checked here for a clear message; the database's constraint
        # (users_user_email_ci_unique) still decides a race between two forms.
        email = self.cleaned_data["email"]
        if selectors.user_email_taken(email=email):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email
