from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from apps.users.forms import SignupForm
from apps.users.services import AccountTaken, user_register

# Why a page sent the visitor here, by the name of the page's URL.
LOGIN_REASONS = {
    "blog:post_create": "write a post",
    "blog:post_detail": "comment on a post",
    "blog:post_mine": "see your posts",
    "blog:post_update": "edit a post",
    "blog:post_delete": "delete a post",
    "dashboard:index": "see your dashboard",
}


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard:index")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                session_key=request.session.session_key or "",
            )
        except AccountTaken as taken:
            form.add_error(taken.field, taken.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}: your account is ready and you are logged in.")
            return redirect("dashboard:index")
    return render(request, "users/signup.html", {"form": form})


class LoginView(SuccessMessageMixin, auth_views.LoginView):
    """Django's log-in view, which also says why a page sent the visitor here."""

    template_name = "users/login.html"
    success_message = "You are logged in as %(username)s."

    def get(self, request, *args, **kwargs):
        target = self.get_redirect_url()
        if target and not request.user.is_authenticated:
            messages.info(request, f"Please log in to {login_reason(target)}.")
        return super().get(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Log out on POST; a GET (a typed or bookmarked URL) asks first.

    Logging out changes state, so it stays a POST (a link prefetched by a
    browser or planted on another site must not log anyone out); the GET
    page is the button that sends it.
    """

    http_method_names = ["get", "post", "options"]
    template_name = "users/logout_confirm.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name)

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "You are logged out.")
        return response


def login_reason(target: str) -> str:
    """What the page at ``target`` needed a log-in for, in words."""
    try:
        match = resolve(target.split("?", 1)[0])
    except Resolver404:
        return "see that page"
    return LOGIN_REASONS.get(match.view_name, "see that page")
