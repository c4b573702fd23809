"""The base of every response shape, and the one error shape of every 4xx."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Response shapes are plain pydantic models: validating dicts needs no Django getter."""

    model_config = ConfigDict(from_attributes=True)


class ErrorItem(Out):
    field: str
    message: str


class ErrorOut(Out):
    detail: str
    errors: list[ErrorItem]
