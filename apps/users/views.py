from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from apps.users.forms import SignupForm
from apps.users.services import user_register


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=lambda group, request: settings.SIGNUP_RATE, method="POST", block=False)
def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard:index")
    if getattr(request, "limited", False):
        # Counted per address in the database cache (django-ratelimit); nothing is written.
        return render(request, "users/signup.html", {"form": SignupForm(), "limited": True}, status=429)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                session_key=request.session.session_key or "",
            )
        except IntegrityError:
            # Two sign-ups for one name at once: the database's unique index decides.
            form.add_error("username", "A user with that username already exists.")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard:index")
    return render(request, "users/signup.html", {"form": form})
