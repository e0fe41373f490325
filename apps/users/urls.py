from django.contrib.auth import views as auth_views
from django.urls import path

from apps.users import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    # FormView would treat PUT as POST: the login form answers GET and POST only.
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="users/login.html", http_method_names=["get", "head", "post"]),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
