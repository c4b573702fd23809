"""Live-update streams (Server-Sent Events) for plan pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
