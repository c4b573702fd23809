"""The web app's pages: seller workspace and buyer share view."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><meta charset=utf-8><title>mutualplan</title>"
        "<h1>mutualplan</h1><p>Mutual Action Plans, built with the buyer.</p>"
        '<p>API: <a href="/api/v1/docs">/api/v1/docs</a></p>'
    )


urlpatterns = [path("", home, name="home")]
