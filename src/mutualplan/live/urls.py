"""Live-update streams (Server-Sent Events) for plan pages."""

from django.urls import URLPattern, path

from mutualplan.live import views

urlpatterns: list[URLPattern] = [
    path("plans/<int:plan_id>/events", views.plan_events, name="plan_events"),
    path("s/<str:token>/events", views.shared_events, name="shared_events"),
]
