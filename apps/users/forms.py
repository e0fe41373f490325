from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.users import selectors
from apps.users.models import User

EMAIL_TAKEN = "An account with this e-mail address already exists."


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self):
        # Checked here for a clear message; the database's constraint
        # (users_user_email_ci_unique) still decides a race between two forms.
        email = self.cleaned_data["email"]
        if selectors.user_email_taken(email=email):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email
