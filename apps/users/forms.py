from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.users.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
