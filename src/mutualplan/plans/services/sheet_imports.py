"""Import a plan from a spreadsheet (CSV, XLSX): the preview of how each column and row reads
(nothing saved), the workspace's saved column mapping for files of one header layout, and the
import itself: a new deal and plan, or the rows added to an existing plan, with every row or
nothing with every bad row named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from mutualplan import formats
from mutualplan.formats import sheet
from mutualplan.formats.data import DealData
from mutualplan.formats.sheet import PlanFields, SheetPreview
from mutualplan.formats.sheet_values import words
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.exports import invalid
from mutualplan.plans.models import ImportMapping, Milestone, Plan
from mutualplan.plans.services.imports import import_plan
from mutualplan.plans.services.milestones import add_milestone
from mutualplan.workspaces.models import Workspace

MAX_SHEET_BYTES = 5 * 1024 * 1024
SHEET_FORMATS = formats.names(formats.SheetFormat)


def sheet_format_for(file_name: str, given: str = "") -> str:
    """The format named, else the one the file name's extension names ("" when neither)."""
    if given:
        return given
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return extension if extension in SHEET_FORMATS else ""


def preview_sheet_file(
    workspace: Workspace, content: bytes, format_name: str, mapping: Any = None
) -> SheetPreview:
    """How the file reads: `mapping` over the workspace's saved one for its header layout."""
    if not content:
        raise Invalid.field("file", "is empty")
    if len(content) > MAX_SHEET_BYTES:
        raise Invalid.field("file", f"is larger than {MAX_SHEET_BYTES // (1024 * 1024)} MB")
    try:
        given = sheet.clean_mapping(mapping)
        rows = formats.sheet_format(format_name).read_sheet(content)
        signature = sheet.layout_signature(rows, given)
    except formats.FormatError as exc:
        raise invalid(exc) from None
    saved = (
        ImportMapping.objects.filter(workspace=workspace, signature=signature)
        .values_list("mapping", flat=True)
        .first()
    )
    return sheet.preview_sheet(rows, format_name, given, saved if isinstance(saved, dict) else {})


class MappedPreview(Protocol):
    """A preview of any import (a spreadsheet MAP, a CRM export) whose columns can be kept."""

    @property
    def signature(self) -> str: ...

    def mapping(self) -> dict[str, str]: ...


def save_mapping(workspace: Workspace, actor: Actor, preview: MappedPreview) -> ImportMapping:
    """Keep the preview's mapping for the next file with the same headers."""
    found, _ = ImportMapping.objects.update_or_create(
        workspace=workspace,
        signature=preview.signature,
        defaults={
            "mapping": preview.mapping(),
            "updated_by": actor.user,
            "updated_at": timezone.now(),
        },
    )
    return found


def plan_fields(workspace: Workspace, values: Mapping[str, Any]) -> PlanFields:
    """The deal and the date a spreadsheet does not hold (account name required; account
    type and stage default to the workspace's first)."""
    deal = DealData(
        account_name=str(values.get("account_name") or "").strip(),
        account_type=str(values.get("account_type") or workspace.account_types[0]),
        stage=str(values.get("stage") or workspace.stages[0]),
        currency=str(values.get("currency") or "USD"),
        industry=str(values.get("industry") or ""),
        crm_ref=str(values.get("crm_ref") or ""),
        amount=values.get("amount") or DealData.amount,
    )
    if not deal.account_name:
        raise Invalid.field("account_name", "is required: the account the plan is for")
    return PlanFields(
        deal=deal,
        target_date=values.get("target_date"),
        target_reason=str(values.get("target_reason") or ""),
    )


def _refuse(errors: list[dict[str, str]]) -> Invalid:
    return Invalid(f"{errors[0]['field']}: {errors[0]['message']}", errors)


def _importable(preview: SheetPreview) -> SheetPreview:
    if not preview.ok:
        raise _refuse(preview.errors or [{"field": "file", "message": "has no rows to import"}])
    return preview


@transaction.atomic
def import_sheet(
    workspace: Workspace,
    actor: Actor,
    content: bytes,
    format_name: str,
    fields: PlanFields,
    mapping: Any = None,
    remember: bool = False,
) -> Plan:
    """Create the deal and plan from the spreadsheet: every row, or nothing (Invalid lists
    every bad row with its line in the file). `remember` saves the mapping too."""
    preview = _importable(preview_sheet_file(workspace, content, format_name, mapping))
    plan = import_plan(workspace, actor, sheet.plan_from_sheet(preview, fields), format_name)
    if remember:
        save_mapping(workspace, actor, preview)
    return plan


@transaction.atomic
def add_sheet_rows(
    plan: Plan,
    actor: Actor,
    content: bytes,
    format_name: str,
    mapping: Any = None,
    remember: bool = False,
) -> list[Milestone]:
    """Add the spreadsheet's rows at the end of an existing plan, each as the plan page adds
    a row (anchored, recorded, sent live): all of them, or none with every bad row's line.
    An owner person must be one of the plan's people already (matched by name)."""
    preview = _importable(preview_sheet_file(plan.workspace, content, format_name, mapping))
    people = {words(p.name): p.id for p in plan.deal.stakeholders.all()}
    names = {p.key: p.name for p in preview.people}
    errors: list[dict[str, str]] = []
    added: list[Milestone] = []
    for row in preview.rows:
        m = row.milestone
        assert m is not None  # an importable preview has every row read
        fields: dict[str, Any] = {
            "title": m.title,
            "owner_side": m.owner_side,
            "owner_team": m.owner_team,
            "due_date": m.due_date,
            "status": m.status,
            "notes": m.notes,
            "step_type": m.step_type,
            "high_risk": m.high_risk,
        }
        person = names.get(m.owner_person or "")
        if person and words(person) not in people:
            message = f"owner person {person!r} is not one of the plan's people: add them first"
            errors.append({"field": f"line {row.line}", "message": message})
            continue
        if person:
            fields["owner_person_id"] = people[words(person)]
        try:
            with transaction.atomic():
                added.append(add_milestone(plan, actor, fields))
        except Invalid as exc:
            errors += [
                {"field": f"line {row.line}", "message": f"{e['field']} {e['message']}"}
                for e in exc.errors or [{"field": "row", "message": exc.detail}]
            ]
    if errors:
        raise _refuse(errors)  # the outer transaction takes back the rows added before
    if remember:
        save_mapping(plan.workspace, actor, preview)
    return added
