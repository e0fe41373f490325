from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from manydb import database_health_view, health_view

urlpatterns = [
    path("", include("apps.blog.urls")),
    path("accounts/", include("apps.users.urls")),
    path("legacy/", include("apps.legacy.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("health/", health_view, name="health"),
    path("health/databases/", database_health_view, name="database_health"),  # staff only
    path("admin/", admin.site.urls),
]

if "debug_toolbar" in settings.INSTALLED_APPS:
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))
