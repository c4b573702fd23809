"""A CRM export previewed before anything is saved (how each column reads, with the
workspace's saved mapping for exports with the same headers), and that mapping kept."""

from __future__ import annotations

from collections.abc import Callable

from mutualplan.crm.preview import DealPreview, preview_deals
from mutualplan.crm.reader import CrmFileError, DealFile
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import ImportMapping
from mutualplan.plans.services import sheet_imports
from mutualplan.workspaces.models import Workspace


def _saved(workspace: Workspace) -> Callable[[str], dict[str, str]]:
    def lookup(signature: str) -> dict[str, str]:
        found = (
            ImportMapping.objects.filter(workspace=workspace, signature=signature)
            .values_list("mapping", flat=True)
            .first()
        )
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    return lookup


def preview_deal_file(
    workspace: Workspace,
    content: bytes,
    source: str = "auto",
    mapping: list[str] | dict[str, str] | None = None,
) -> DealPreview:
    """How the file reads, `mapping` over the workspace's saved one for its headers;
    Invalid only when it is no table at all (or the source or mapping is bad)."""
    try:
        return preview_deals(content, source, mapping, _saved(workspace))
    except CrmFileError as exc:
        raise Invalid(str(exc), exc.errors) from None


def read_deal_file(preview: DealPreview) -> DealFile:
    """The preview's deals; Invalid names every bad row by its line."""
    if not preview.ok:
        errors = preview.all_errors()
        raise Invalid(f"{errors[0]['field']}: {errors[0]['message']}", errors)
    return preview.as_file()


def save_mapping(workspace: Workspace, actor: Actor, preview: DealPreview) -> ImportMapping:
    """Keep the preview's columns for the next export with the same headers."""
    return sheet_imports.save_mapping(workspace, actor, preview)
