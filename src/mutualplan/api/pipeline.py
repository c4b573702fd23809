"""The pipeline forecast route: expected amount closing per quarter across open plans."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers, render
from mutualplan.api.schemas.pipeline import PipelineOut
from mutualplan.plans import pipeline

router = Router(tags=["forecast"])


class PipelineQuery(Schema):
    owner: str | None = Field(None, max_length=254, description="The owner's email")
    account_type: str | None = Field(None, max_length=50)
    quarters: int = Field(
        pipeline.DEFAULT_QUARTERS,
        ge=1,
        le=pipeline.MAX_QUARTERS,
        description="How many fiscal quarters, from the current one (1 to 8)",
    )


@router.get("/forecast", response=answers({200: PipelineOut}, 401, 400))
def pipeline_forecast(request: HttpRequest, query: Query[PipelineQuery]) -> HttpResponse:
    """The workspace's pipeline forecast (seller only): per fiscal quarter the amount expected
    to close (amount × the chance of winning and finishing in it) with a P10–P90 band, by
    owner and account type, per currency; and the deals whose plan says they close later than
    their CRM close date."""
    workspace, _ = seller(request)
    filters, quarters = pipeline.check_filters(
        workspace, query.owner, query.account_type, query.quarters
    )
    result = pipeline.workspace_pipeline(workspace, filters, quarters)
    return render(PipelineOut, pipeline.pipeline_dict(result))
