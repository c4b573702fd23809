"""When to introduce a plan (PRODUCT.md item 8): deals without one at the workspace's
"introduce" stages, and plans introduced too late (verbal commitment, dates unconfirmed). Pure."""

from __future__ import annotations

from collections.abc import Iterable


def is_verbal_stage(stage: str) -> bool:
    """'verbal', 'verbal_commit', 'Verbal commitment': the buyer has said yes."""
    return "verbal" in stage.lower()


def introduced_late(stage: str, dates_confirmed: bool) -> bool:
    """A deal at verbal commitment whose plan's dates the champion has not confirmed: the plan
    came too late to shape the close."""
    return is_verbal_stage(stage) and not dates_confirmed


def should_introduce(stage: str, intro_stages: Iterable[str]) -> bool:
    """A deal without a plan at one of the workspace's "introduce" stages."""
    return stage in set(intro_stages)
