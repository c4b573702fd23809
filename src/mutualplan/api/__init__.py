"""The REST API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from mutualplan import __version__
from mutualplan.api import (
    analytics,
    calendars,
    deals,
    documents,
    emails,
    errors,
    escalations,
    exports,
    forecast,
    people,
    pipeline,
    plans,
    shared,
    templates,
    webhooks,
)
from mutualplan.api.auth import SellerToken
from mutualplan.api.responses import answers, describe


class HealthOut(Schema):
    ok: bool
    version: str


class MutualplanApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """Ninja's document, with each error response saying what it means."""
        return describe(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )


api = MutualplanApi(
    title="mutualplan API",
    version="1",
    description="Mutual Action Plans: plans, milestones, slips, share links. Sellers send "
    "`Authorization: Bearer <token>`; the buyer side uses the share token in the path.",
    urls_namespace="api_v1",
)
errors.install(api)
api.add_router("/", plans.router, auth=SellerToken())
api.add_router("/", people.router, auth=SellerToken())
api.add_router("/", templates.router, auth=SellerToken())
api.add_router("/", documents.router, auth=SellerToken())
api.add_router("/", calendars.router, auth=SellerToken())
api.add_router("/", emails.router, auth=SellerToken())
api.add_router("/", escalations.router, auth=SellerToken())
api.add_router("/", exports.router, auth=SellerToken())
api.add_router("/", deals.router, auth=SellerToken())
api.add_router("/", forecast.router, auth=SellerToken())
api.add_router("/", webhooks.router, auth=SellerToken())
api.add_router("/", analytics.router, auth=SellerToken())
api.add_router("/", pipeline.router, auth=SellerToken())
api.add_router("/", shared.router)


@api.get("/health", response=answers({200: HealthOut}), tags=["meta"])
def health(request: HttpRequest) -> dict[str, object]:
    """A trivial endpoint: liveness, and the baseline the benchmarks compare against."""
    return {"ok": True, "version": __version__}
