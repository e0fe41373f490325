from django.urls import path
from django.views.decorators.http import require_safe

from apps.dashboard import views

app_name = "dashboard"
# GET and HEAD only: the view reads and renders nothing else.
urlpatterns = [path("", require_safe(views.index), name="index")]
