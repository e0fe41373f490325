"""The health endpoint: status for machines, details for staff; 503 when a critical alias is down.

Anonymous callers learn only what a load balancer needs: overall status and
each alias's ok. Engines, latencies, lag and error texts describe the
infrastructure, so they need a staff session or ``Authorization: Bearer
<settings.MANYDB_HEALTH_TOKEN>``. Every caller is served from one shared
probe per interval (manydb.ops.health.health_snapshot).
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from manydb.ops.health import critical_ok, health_snapshot


def may_see_details(request) -> bool:
    token = getattr(settings, "MANYDB_HEALTH_TOKEN", "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and constant_time_compare(given.strip(), token):
        return True
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_active and user.is_staff)
    except DatabaseError:
        return False  # sessions' database is down: no one is known to be staff; the token still works


@require_safe
@never_cache
def health(request):
    snapshot = health_snapshot()
    healthy = critical_ok(snapshot.databases)
    body = {"status": "ok" if healthy else "unavailable"}
    if may_see_details(request):
        body["databases"] = {result.alias: result.as_dict() for result in snapshot.databases}
        body["replicas"] = snapshot.replicas
        body["primaries"] = snapshot.primaries
    else:
        body["databases"] = {result.alias: {"ok": result.ok} for result in snapshot.databases}
    return JsonResponse(body, status=200 if healthy else 503)
