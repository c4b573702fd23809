"""Domain errors raised by services and access checks; the API maps each to one 4xx shape."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(DomainError):
    """Bad input: which field, and why. Nothing was written."""

    status = 400

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls(f"{field}: {message}", [{"field": field, "message": message}])


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Gone(DomainError):
    """A share link that was revoked or has expired."""

    status = 410


class Conflict(DomainError):
    """Someone else wrote first: the caller's version is stale. `current` is the fresh model
    (the plan or the row as it is now); each shell renders it in its reader's shape."""

    status = 409

    def __init__(self, detail: str, current: object) -> None:
        super().__init__(detail, [{"field": "version", "message": detail}])
        self.current = current
