"""Share links stay out of search engines and out of other sites' logs.

A share link is the buyer's only key to a plan and gets forwarded inside the buyer's company:
if a crawler finds one, the plan must not be indexed, and a link clicked in a note must not
hand the token to the site it leads to (the Referer header). Every response under a
share-token path gets both headers here, in one place, whatever answered it: a page, a
fragment, the live stream, the API, an error or a redirect. `/robots.txt` asks crawlers not to
fetch those paths at all.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from mutualplan.http.middleware import RequestFilter

# Paths reached through a share token: the buyer's pages and stream, and the buyer's API;
# and the secret calendar feeds.
SHARE_PATHS = ("/s/", "/api/v1/shared/", "/calendar/")
NOINDEX = "noindex, nofollow"
# No Referer to any other site, whatever SECURE_REFERRER_POLICY says. Not "no-referrer": with
# it, browsers send `Origin: null` (and, over HTTPS, no Referer) on the page's own form posts,
# which Django's CSRF check refuses, so the buyer could no longer save anything.
REFERRER_POLICY = "same-origin"

ROBOTS_TXT = """\
# Share links (/s/), calendar feeds (/calendar/) and the API are for the people they were
# given to, not for search engines.
User-agent: *
Disallow: /s/
Disallow: /api/
Disallow: /calendar/
"""


def is_share_path(path: str) -> bool:
    return path.startswith(SHARE_PATHS)


def mark(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Tell crawlers not to index a share-link response, and browsers to send its address
    to no other site."""
    if is_share_path(request.path):
        response["X-Robots-Tag"] = NOINDEX
        response["Referrer-Policy"] = REFERRER_POLICY
    return response


class ShareLinkPrivacyMiddleware(RequestFilter):
    """Put it first in MIDDLEWARE, so it also marks what the other middleware answer."""

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return mark(request, response)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
