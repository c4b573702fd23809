"""Template routes: the built-in templates and a workspace's own."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.templates import TemplateIn, TemplateOut
from mutualplan.core.templates import BUILTIN_TEMPLATES, Template
from mutualplan.plans.models import PlanTemplate
from mutualplan.plans.services import templates
from mutualplan.plans.services.templates import available_templates, to_template

router = Router(tags=["templates"])


def template_dict(template: Template, builtin: bool) -> dict[str, Any]:
    return {
        "key": template.key,
        "name": template.name,
        "description": template.description,
        "builtin": builtin,
        "rows": [asdict(r) for r in template.rows],
    }


@router.get("/templates", response=answers({200: list[TemplateOut]}, 401))
def list_templates(request: HttpRequest) -> list[dict[str, Any]]:
    workspace, _ = seller(request)
    own = set(PlanTemplate.objects.filter(workspace=workspace).values_list("key", flat=True))
    return [
        template_dict(t, t.key in BUILTIN_TEMPLATES and t.key not in own)
        for t in available_templates(workspace)
    ]


@router.post("/templates", response=answers({201: TemplateOut}, 400, 401, 413, 415))
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[Any]:
    workspace, _ = seller(request)
    stored = templates.create_template(
        workspace,
        payload.key,
        payload.name,
        [r.model_dump() for r in payload.rows],
        payload.description,
    )
    return Status(201, template_dict(to_template(stored), builtin=False))
