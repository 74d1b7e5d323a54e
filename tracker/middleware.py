"""Request-wide rules that belong to no single page."""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class RefuseNulInPath:
    """A NUL byte in an address can name nothing (PostgreSQL refuses it in a query): answer 404
    at once rather than letting a lookup fail with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            raise Http404
        return self.get_response(request)


class NoStoreWhenSignedIn:
    """Pages, exports and evidence shown to a signed-in person hold what only they may see: no
    browser or proxy cache keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
