"""Reading typed fields out of parsed JSON objects (or any mapping a reader builds from a
file), collecting every problem with its path, so that one answer names every bad field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from mutualplan.core.text import unstorable

T = TypeVar("T")


class FieldReader:
    """Reads typed fields out of one JSON object, collecting every problem with its path."""

    def __init__(self, errors: list[dict[str, str]], data: Any, path: str) -> None:
        self.errors = errors
        self.path = path
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.seen: set[str] = set()
        if not isinstance(data, dict):
            self.fail("", "must be an object")

    def done(self) -> None:
        """Refuse fields the format does not have (a typo would otherwise be lost silently)."""
        for name in self.data:
            if name not in self.seen:
                self.fail(str(name), "is not a field of this format")

    def fail(self, name: str, message: str) -> None:
        where = f"{self.path}.{name}" if self.path and name else (self.path or name)
        self.errors.append({"field": where, "message": message})

    def _get(self, name: str, default: Any, parse: Callable[[Any], T], required: bool) -> T:
        self.seen.add(name)
        if name not in self.data or self.data[name] is None:
            if required:
                self.fail(name, "is required")
            return default
        try:
            return parse(self.data[name])
        except (TypeError, ValueError, InvalidOperation) as exc:
            self.fail(name, str(exc))
            return default

    def text(self, name: str, max_length: int | None = None, required: bool = False) -> str:
        def parse(value: Any) -> str:
            if not isinstance(value, str):
                raise TypeError("must be a string")
            why = unstorable(value)
            if why:
                raise ValueError(why)
            if required and not value.strip():
                raise ValueError("must not be blank")
            if max_length is not None and len(value) > max_length:
                raise ValueError(f"is longer than {max_length} characters")
            return value

        return self._get(name, "", parse, required)

    def choice(self, name: str, allowed: list[str], default: str, required: bool = False) -> str:
        def parse(value: Any) -> str:
            if value not in allowed:
                raise ValueError(f"unknown value {value!r}; use one of {', '.join(allowed)}")
            return str(value)

        return self._get(name, default, parse, required)

    def flag(self, name: str) -> bool:
        def parse(value: Any) -> bool:
            if not isinstance(value, bool):
                raise TypeError("must be true or false")
            return value

        return self._get(name, False, parse, False)

    def whole(self, name: str, minimum: int | None = None) -> int | None:
        def parse(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("must be a whole number")
            if minimum is not None and value < minimum:
                raise ValueError(f"must be at least {minimum}")
            if abs(value) > 100_000:
                raise ValueError("is out of range")
            return value

        return self._get(name, None, parse, False)

    def day(self, name: str) -> dt.date | None:
        def parse(value: Any) -> dt.date:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError("must be a date, YYYY-MM-DD")
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None

        return self._get(name, None, parse, False)

    def moment(self, name: str) -> dt.datetime | None:
        def parse(value: Any) -> dt.datetime:
            try:
                moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise ValueError("must be a date and time with its UTC offset (ISO 8601)")
            return moment

        return self._get(name, None, parse, False)

    def amount(self, name: str) -> Decimal:
        def parse(value: Any) -> Decimal:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise TypeError("must be a number")
            try:
                amount = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a number") from None
            if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
                raise ValueError("must be a number from 0 to 999,999,999,999.99")
            if amount != amount.quantize(Decimal("0.01")):
                raise ValueError("has more than two decimal places")
            return amount

        return self._get(name, Decimal(0), parse, False)

    def items(self, name: str) -> list[Any]:
        self.seen.add(name)
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, "must be a list")
            return []
        return value
