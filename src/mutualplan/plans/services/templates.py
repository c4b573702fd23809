"""Templates: resolving the built-in ones from the core and a workspace's own, and saving a
workspace's own."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from mutualplan.core.schedule import find_cycle
from mutualplan.core.templates import BUILTIN_TEMPLATES, Template, TemplateRow
from mutualplan.core.vocab import HIGH_RISK_STEP_TYPES, OwnerSide, StepType
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import PlanTemplate
from mutualplan.workspaces.models import Workspace


def available_templates(workspace: Workspace) -> list[Template]:
    own = [to_template(t) for t in PlanTemplate.objects.filter(workspace=workspace)]
    own_keys = {t.key for t in own}
    return [t for k, t in BUILTIN_TEMPLATES.items() if k not in own_keys] + own


def resolve_template(workspace: Workspace, key: str) -> Template:
    own = PlanTemplate.objects.filter(workspace=workspace, key=key).first()
    if own is not None:
        return to_template(own)
    if key in BUILTIN_TEMPLATES:
        return BUILTIN_TEMPLATES[key]
    names = ", ".join(sorted(t.key for t in available_templates(workspace)))
    raise Invalid.field("template", f"unknown template {key!r}; available: {names}")


def to_template(stored: PlanTemplate) -> Template:
    return Template(
        key=stored.key,
        name=stored.name,
        description=stored.description,
        rows=tuple(
            TemplateRow(**{**r, "depends_on": tuple(r.get("depends_on", ()))})
            for r in _with_enums(stored.rows)
        ),
    )


def _with_enums(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**r, "owner_side": OwnerSide(r["owner_side"]), "step_type": StepType(r["step_type"])}
        for r in rows
    ]


def validate_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Template rows as stored JSON, after checking keys, enums, offsets and dependencies."""
    if not rows:
        raise Invalid.field("rows", "a template needs at least one row")
    errors: list[dict[str, str]] = []
    keys = [str(r.get("key") or f"row{i + 1}") for i, r in enumerate(rows)]
    if len(set(keys)) != len(keys):
        errors.append({"field": "rows", "message": "row keys must be unique"})
    cleaned = []
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        where = f"rows[{i}]"
        step_type = row.get("step_type") or "custom"
        if step_type not in StepType.__members__.values():
            errors.append(
                {"field": f"{where}.step_type", "message": f"unknown step type {step_type!r}"}
            )
            continue
        unknown = [d for d in row.get("depends_on", []) if d not in keys]
        if unknown:
            errors.append(
                {"field": f"{where}.depends_on", "message": f"no row with key {unknown[0]!r}"}
            )
        cleaned.append(
            {
                "key": key,
                "title": row["title"],
                "owner_side": row["owner_side"],
                "owner_team": row.get("owner_team", ""),
                "step_type": step_type,
                "offset_days": row.get("offset_days", 0),
                "turnaround_days": row.get("turnaround_days", 0),
                "high_risk": (
                    row["high_risk"]
                    if row.get("high_risk") is not None
                    else StepType(step_type) in HIGH_RISK_STEP_TYPES
                ),
                "depends_on": list(row.get("depends_on", [])),
            }
        )
    if not errors:
        cycle = find_cycle({r["key"]: r["depends_on"] for r in cleaned})
        if cycle:
            errors.append(
                {"field": "rows", "message": "dependencies form a cycle: " + " -> ".join(cycle)}
            )
    if errors:
        raise Invalid("the template has invalid rows", errors)
    return cleaned


TEMPLATE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")


def create_template(
    workspace: Workspace, key: str, name: str, rows: list[dict[str, Any]], description: str = ""
) -> PlanTemplate:
    """Save a workspace's own template after checking its key and rows.

    A key already in the workspace is refused; a built-in key is allowed and the workspace's
    template takes its place. No activity is recorded: activities belong to a plan, and a
    template is not one.
    """
    if not TEMPLATE_KEY.fullmatch(key):
        raise Invalid.field(
            "key",
            "use 1 to 60 lower-case letters, digits, '-' or '_', starting with a letter or digit",
        )
    if not name.strip():
        raise Invalid.field("name", "must not be blank")
    cleaned = validate_rows(rows)
    try:
        with transaction.atomic():
            return PlanTemplate.objects.create(
                workspace=workspace, key=key, name=name, description=description, rows=cleaned
            )
    except IntegrityError:
        raise Invalid.field("key", f"this workspace already has a template {key!r}") from None
