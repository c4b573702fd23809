from django.urls import include, path

from mutualplan.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("mutualplan.live.urls")),
    path("", include("mutualplan.web.urls")),
]

handler400 = "mutualplan.web.views.errors.bad_request"
