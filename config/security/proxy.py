"""Forwarded headers count only when they come from the configured proxy.

Django trusts ``SECURE_PROXY_SSL_HEADER`` from any peer. Behind a proxy that
sets X-Forwarded-Proto, a client that reaches the server directly (or through
a proxy that passes the header on) could claim HTTPS. This middleware runs
first and removes the X-Forwarded-* headers unless the connection's peer
(REMOTE_ADDR) is listed in ``settings.TRUSTED_PROXIES``.
"""

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def from_trusted_proxy(request) -> bool:
    return request.META.get("REMOTE_ADDR", "") in settings.TRUSTED_PROXIES


def client_ip(request) -> str:
    """The address the request came from, as throttling should count it.

    The peer itself, unless the peer is a trusted proxy: then the nearest
    address in X-Forwarded-For that is not one of our proxies (the left part of
    that header is whatever the client wrote, and proves nothing).
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if peer not in settings.TRUSTED_PROXIES:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in settings.TRUSTED_PROXIES:
            return address
    return peer


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
