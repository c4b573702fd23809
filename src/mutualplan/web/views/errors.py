"""Django's error answers, in our words: the API's error shape under /api/, a page elsewhere."""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

UNKNOWN_HOST = (
    "This server does not answer to that host name: use the address it was set up with "
    "(MUTUALPLAN_BASE_URL, or a name in MUTUALPLAN_ALLOWED_HOSTS)."
)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refused before any view ran (an unknown Host header…)."""
    detail = (
        UNKNOWN_HOST
        if isinstance(exception, DisallowedHost)
        else "This request could not be read; nothing was changed."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "errors": []}, status=400)
    return render(request, "400.html", {"detail": detail}, status=400)
