"""Cell values as CRMs export them: dates in ISO, US and European forms (with or without a
time), amounts with currency symbols and thousand separators, names turned into keys."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

# Amounts the Deal model stores: 14 digits, 2 after the point.
AMOUNT_MAX = Decimal("999999999999.99")
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
_CODE = re.compile(r"\b([A-Z]{3})\b")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?.*)?$")
_SLASHED = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})(?:[ ,T]+(.*))?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_EPOCH_MS = re.compile(r"^\d{12,13}$")
_NOT_KEY = re.compile(r"[^a-z0-9]+")

DATE_HINT = "use YYYY-MM-DD, M/D/YYYY or D.M.YYYY"


def key_of(text: str) -> str:
    """A workspace key for a CRM name: "Closed Won" -> "closed_won", "Mid-Market" ->
    "mid_market"."""
    return _NOT_KEY.sub("_", text.strip().lower()).strip("_")


def _time(text: str | None) -> dt.time:
    if not text:
        return dt.time(0, 0)
    found = _TIME.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a time of day")
    hour, minute = int(found[1]), int(found[2])
    second = int(found[3] or 0)
    if found[4]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time of day")
        hour = hour % 12 + (12 if found[4].lower() == "pm" else 0)
    return dt.time(hour, minute, second)


def parse_datetime(value: object) -> dt.datetime:
    """A CRM date or date-time as a naive UTC date-time (midnight for a bare date).

    ISO ("2026-03-01", "2026-03-01T10:00:00.000Z", "2026-03-01 10:00"), US "3/1/2026"
    (day first when the first number is above 12, or with dots: "1.3.2026"), HubSpot's
    epoch milliseconds, and the date objects a spreadsheet cell holds."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        if _EPOCH_MS.match(text):
            moment = dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC)
            return moment.replace(tzinfo=None)
        iso = _ISO_DATE.match(text)
        if iso:
            if iso[4] is not None:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
                return parse_datetime(moment)
            return dt.datetime(int(iso[1]), int(iso[2]), int(iso[3]))
        slashed = _SLASHED.match(text)
        if slashed:
            first, second, year = int(slashed[1]), int(slashed[3]), int(slashed[4])
            year += 2000 if year < 100 else 0
            # Dots are European (day first); slashes are US unless the first number is a day.
            day_first = slashed[2] == "." or first > 12
            month, day = (second, first) if day_first else (first, second)
            return dt.datetime.combine(dt.date(year, month, day), _time(slashed[5]))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date ({DATE_HINT})")


def parse_amount(value: object) -> tuple[Decimal, str]:
    """An amount and the currency its text names ("" when none): "$1,250.50", "1.250,50 €",
    "EUR 1 250", "12000"."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number, currency = Decimal(str(value)), ""
    else:
        text = str(value).strip()
        currency = ""
        for symbol, code in SYMBOLS.items():
            if symbol in text:
                currency = code
                text = text.replace(symbol, "")
        named = _CODE.search(text)
        if named:
            currency = named[1]
            text = text.replace(named[1], "")
        text = text.replace(" ", "").replace("\u00a0", "").replace("'", "")
        if "," in text and "." in text:
            # The last separator is the decimal point: "1,250.50" or "1.250,50".
            thousands = "," if text.rfind(",") < text.rfind(".") else "."
            text = text.replace(thousands, "")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        elif re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(f"{str(value).strip()!r} is not an amount")
        number = Decimal(text)
    try:
        number = number.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"{value!r} is too large an amount") from None
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    if number > AMOUNT_MAX:
        raise ValueError(f"{value!r} is too large an amount")
    return number, currency
