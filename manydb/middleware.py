"""Request-level pieces of the core: a routing scope per request, and a clean 503."""

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse

from manydb.moving.pause import AppBeingMoved
from manydb.scope.state import current_state, routing_scope
from manydb.scope.writes import scope_token, token_fulfilled
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.middleware")


class RoutingScopeMiddleware:
    """Give each request its own routing state, and carry read-your-writes tokens.

    The client's token arrives in a cookie; after a request that wrote to a
    primary with replicas, the cookie is renewed with the primary's position.
    Once a replica has caught up with it, the cookie is dropped: the pin ends
    as soon as it is no longer needed, not after a fixed window.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        with routing_scope(token=request.COOKIES.get(self._cookie_name())):
            response = self.get_response(request)
            self._update_cookie(request, response, scope_token())
        return response

    async def __acall__(self, request):
        with routing_scope(token=request.COOKIES.get(self._cookie_name())):
            response = await self.get_response(request)
            # Reading the primary's position is a query: run it where queries run.
            token = await sync_to_async(scope_token)()
            self._update_cookie(request, response, token)
        return response

    @staticmethod
    def _cookie_name() -> str:
        return routing_map().replica_reads.token_cookie

    def _update_cookie(self, request, response, token):
        name = self._cookie_name()
        if token:
            response.set_cookie(
                name,
                token,
                max_age=routing_map().replica_reads.token_max_age,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        elif name in request.COOKIES and (token_fulfilled() or not current_state().required):
            response.delete_cookie(name, samesite="Lax")


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page when a database cannot be reached.

    Pages that can live without a database guard their own sections
    (``manydb.ops.sections``); this catches the rest, so a visitor never sees a
    stack trace because a server is down. Other errors are left to Django.
    """

    # Ships with the core; a project overrides it with a template of the same
    # name in a directory listed before the app templates.
    template_name = "manydb/database_unavailable.html"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AppBeingMoved):
            logger.warning("write refused while serving %s: %s", request.path, exception)
            response = TemplateResponse(request, "manydb/being_moved.html", status=503)
            response["Retry-After"] = "120"
            return response.render()
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable while serving %s: %s", request.path, exception)
        response = TemplateResponse(request, self.template_name, status=503)
        response["Retry-After"] = "30"
        return response.render()
