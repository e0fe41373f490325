from django.contrib.auth import login
from django.shortcuts import redirect, render

from apps.users.forms import SignupForm
from apps.users.services import user_register


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard:index")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_register(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            session_key=request.session.session_key or "",
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard:index")
    return render(request, "users/signup.html", {"form": form})
