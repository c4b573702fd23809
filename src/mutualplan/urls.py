from django.urls import include, path

from mutualplan.api import api
from mutualplan.http import robots

urlpatterns = [
    path("robots.txt", robots.robots_txt, name="robots_txt"),
    path("api/v1/", api.urls),
    path("", include("mutualplan.live.urls")),
    path("", include("mutualplan.web.urls")),
]

handler400 = "mutualplan.web.views.errors.bad_request"
