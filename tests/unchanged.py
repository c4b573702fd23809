"""Helpers to prove a request changed nothing, and to try a write without keeping it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import transaction


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the app has models for (plans, tokens, users, sessions…)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back: each try starts afresh."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
