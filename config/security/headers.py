"""Permissions-Policy: switch off the browser features no page here uses."""

from django.conf import settings


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``.

    ``self`` and ``*`` stay bare; any other origin is quoted, as the header requires.
    """
    return ", ".join(f"{feature}=({' '.join(map(_allow_list_item, origins))})" for feature, origins in features.items())


def _allow_list_item(origin: str) -> str:
    return origin if origin in ("self", "*") else f'"{origin}"'


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
