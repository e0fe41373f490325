"""The health endpoint: one JSON entry per alias; 503 when a critical one is down."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from manydb.ops.health import check_all, critical_ok, primary_report, replica_report


@require_GET
@never_cache
def health(request):
    results = check_all()
    healthy = critical_ok(results)
    body = {
        "status": "ok" if healthy else "unavailable",
        "databases": {result.alias: result.as_dict() for result in results},
        "replicas": replica_report(),
        "primaries": primary_report(),
    }
    return JsonResponse(body, status=200 if healthy else 503)
