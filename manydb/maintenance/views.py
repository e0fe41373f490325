"""The database health page: for staff, one section per alias, each surviving the others' outages."""

from django.contrib.auth.decorators import user_passes_test
from django.db import connections
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from manydb.maintenance.engines import inspector
from manydb.maintenance.status import alias_status
from manydb.ops.sections import guarded_all


def alias_report(alias: str) -> dict:
    """What the page shows for one alias; raises DatabaseError when it cannot be asked."""
    status = alias_status(alias)
    checks = inspector(alias).checks()
    return {"status": status, "checks": checks, "failed": sum(check.failed for check in checks)}


def _is_staff(user) -> bool:
    return user.is_active and user.is_staff


@require_GET
@never_cache
@user_passes_test(_is_staff)  # others are sent to settings.LOGIN_URL
def database_health(request):
    sections = guarded_all({alias: (lambda alias=alias: alias_report(alias)) for alias in connections})
    databases = [
        {"alias": alias, "engine": connections[alias].vendor, "section": section} for alias, section in sections.items()
    ]
    return render(request, "manydb/database_health.html", {"databases": databases})
