"""Request-level pieces of the core: a routing scope per request, and a clean 503."""

import logging

from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse

from multidb.replicas import routing_scope

logger = logging.getLogger("multidb.middleware")


class RoutingScopeMiddleware:
    """Give each request its own routing state (replica choice, write pin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with routing_scope():
            return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page when a database cannot be reached.

    Pages that can live without a database guard their own sections
    (``multidb.guarded``); this catches the rest, so a visitor never sees a
    stack trace because a server is down. Other errors are left to Django.
    """

    template_name = "errors/database_unavailable.html"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable while serving %s: %s", request.path, exception)
        response = TemplateResponse(request, self.template_name, status=503)
        response["Retry-After"] = "30"
        return response.render()
