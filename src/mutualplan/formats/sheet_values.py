"""Cell values of a spreadsheet MAP read as the glossary's values: owners ("Buyer (Legal)"),
statuses ("WIP", "Delayed"), dates (ISO, US, European, Excel serials, "3 March 2027") and
step types recognised from titles. Pure functions: each returns the value or raises
ValueError with a message a person can act on.

Decisions (documented in the README's import section):
- An owner that names only a team ("Legal") is a buyer step of that team, unless the team is
  one of the seller's own (Sales, Solutions, Customer Success, ...): a MAP's rows are mostly
  the buyer's departments. A blank owner is a seller step (the importer's own side).
- "Delayed", "On hold" and "Stuck" are `blocked`: the step is not moving, and blocked is
  the status that makes the plan show it.
- Slash dates are read per column: day/month when any of the column's dates starts above
  12, month/day (US) otherwise; the preview says which.
"""

from __future__ import annotations

import datetime as dt
import re

from mutualplan.core.vocab import MilestoneStatus, OwnerSide, StepType

CellValue = str | int | float | dt.date | dt.datetime | None


def words(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: how headers and values compare."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def as_text(value: CellValue) -> str:
    """A cell as the text a person sees in it (dates as YYYY-MM-DD, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Owners -----------------------------------------------------------------------------------

_BUYER = {"buyer", "customer", "client", "prospect", "buyer side", "customer side"}
_SELLER = {"seller", "vendor", "supplier", "us", "we", "seller side", "vendor side", "our side"}
_JOINT = {
    "joint",
    "both",
    "mutual",
    "shared",
    "all",
    "buyer seller",
    "seller buyer",
    "buyer and seller",
    "seller and buyer",
    "customer vendor",
    "vendor customer",
}
SELLER_TEAMS = {
    "sales",
    "solutions",
    "solution engineering",
    "presales",
    "pre sales",
    "customer success",
    "account executive",
    "ae",
    "se",
    "csm",
    "professional services",
    "services",
    "onboarding",
}


def _side(text: str) -> str | None:
    key = words(text)
    if key in _JOINT:
        return OwnerSide.JOINT.value
    if key in _BUYER:
        return OwnerSide.BUYER.value
    if key in _SELLER:
        return OwnerSide.SELLER.value
    return None


def parse_owner(text: str) -> tuple[str, str]:
    """(owner side, owner team) from "Buyer (Legal)", "Legal (Buyer)", "Seller", "Joint",
    "Buyer + Seller", or a team alone ("Legal": buyer; "Sales": seller)."""
    text = " ".join(text.split())
    if not text:
        return OwnerSide.SELLER.value, ""
    side = _side(text)
    if side:
        return side, ""
    found = re.fullmatch(r"(.+?)\s*[(\[](.+?)[)\]]\s*", text) or re.fullmatch(
        r"(.+?)\s+[-–—:]\s+(.+)", text
    )
    if found:
        first, second = found.group(1).strip(), found.group(2).strip()
        if _side(first):
            return str(_side(first)), second
        if _side(second):
            return str(_side(second)), first
    if words(text) in SELLER_TEAMS:
        return OwnerSide.SELLER.value, text
    if len(text) > 100:
        raise ValueError(f"owner {text[:40]!r}… is longer than 100 characters")
    return OwnerSide.BUYER.value, text


def parse_side(text: str) -> str:
    """An owner side column of its own ("Buyer", "Seller", "Buyer + Seller")."""
    if not text.strip():
        return OwnerSide.SELLER.value
    side = _side(text)
    if side is None:
        raise ValueError(f"owner side {short(text)!r} is not Buyer, Seller or Buyer + Seller")
    return side


# Statuses ---------------------------------------------------------------------------------

_STATUSES = {
    MilestoneStatus.DONE: {
        "done",
        "complete",
        "completed",
        "finished",
        "closed",
        "signed",
        "approved",
        "yes",
        "x",
    },
    MilestoneStatus.IN_PROGRESS: {
        "in progress",
        "wip",
        "work in progress",
        "started",
        "ongoing",
        "in review",
        "under review",
        "underway",
        "under way",
        "working",
        "active",
        "doing",
    },
    MilestoneStatus.NOT_STARTED: {
        "",
        "not started",
        "to do",
        "todo",
        "open",
        "pending",
        "planned",
        "new",
        "not yet started",
        "no",
        "tbd",
    },
    MilestoneStatus.BLOCKED: {"blocked", "delayed", "on hold", "stuck", "late"},
}
STATUS_WORDS = {word: status.value for status, found in _STATUSES.items() for word in found}


def parse_status(text: str) -> str:
    key = words(text)
    if key not in STATUS_WORDS:
        raise ValueError(
            f"unknown status {short(text)!r}; use Done, In progress, Not started or Blocked"
        )
    return STATUS_WORDS[key]


def parse_flag(text: str) -> bool | None:
    """A yes/no cell; None when blank (the step type decides)."""
    key = words(text)
    if not key:
        return None
    if key in {"yes", "y", "true", "1", "x", "high", "high risk"}:
        return True
    if key in {"no", "n", "false", "0", "low", "normal"}:
        return False
    raise ValueError(f"high risk {short(text)!r} is not Yes or No")


def parse_step_type(text: str, title: str) -> str:
    """A step type column of our own export, else the type the title names."""
    key = words(text).replace(" ", "_")
    if not key:
        return step_type_from_title(title)
    if key not in {t.value for t in StepType}:
        raise ValueError(f"unknown step type {short(text)!r}")
    return key


# Step types from titles, first match wins: the order keeps "Security questionnaire" from
# reading as a review and "Executive sign-off" from reading as the signature.
_TITLE_RULES: tuple[tuple[str, StepType], ...] = (
    (r"\bquestionnaire|\bsig lite\b|\bcaiq\b|\bvsaq?\b", StepType.SECURITY_QUESTIONNAIRE),
    (r"\bsecurity\b|\binfosec\b|\bpen ?test|\bsoc ?2\b|\biso 27001\b", StepType.SECURITY_REVIEW),
    (r"\bkick ?off\b|\bkickoff\b", StepType.KICKOFF),
    (
        r"\b(exec|executive|ceo|cfo|cio|cto|board|vp|sponsor)\b.*\b(sign ?off|approv\w*)\b"
        r"|\b(sign ?off|approv\w*)\b.*\b(exec|executive|ceo|cfo|board|sponsor)\b",
        StepType.EXEC_SIGNOFF,
    ),
    (
        r"\bsignature\b|\bsign(ed|ing)?\b.*\b(contract|agreement|order form|msa)\b"
        r"|\bcontract (execution|signed|signing)\b|\bcountersign",
        StepType.CONTRACT_EXECUTION,
    ),
    (r"\bredline|\blegal\b|\bmsa\b|\bdpa\b|\bcontract review\b|\bterms\b", StepType.LEGAL_REDLINE),
    (
        r"\bprocurement\b|\bpurchase order\b|\bpo\b|\bvendor (onboarding|registration)\b"
        r"|\bsupplier\b",
        StepType.PROCUREMENT_PO,
    ),
    (r"\bbusiness case\b|\broi\b", StepType.BUSINESS_CASE),
    (r"\bcommercial\b|\bpricing\b|\bproposal\b|\bnegotiat", StepType.COMMERCIAL_REVIEW),
    (r"\bsign ?off\b", StepType.EXEC_SIGNOFF),
)


def step_type_from_title(title: str) -> str:
    """The canonical step type a title names ("Legal redline MSA" -> legal_redline)."""
    text = words(title)
    for pattern, step_type in _TITLE_RULES:
        if re.search(pattern, text):
            return step_type.value
    return StepType.CUSTOM.value


# Dates ------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
DAY_FIRST = "day/month"
MONTH_FIRST = "month/day"


def short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def slash_order(cells: list[CellValue]) -> str:
    """How a column's slash dates read: day/month when any starts above 12, else month/day."""
    for cell in cells:
        found = _SLASH.fullmatch(as_text(cell)) if isinstance(cell, str) else None
        if found and int(found.group(1)) > 12:
            return DAY_FIRST
    return MONTH_FIRST


def has_slash_dates(cells: list[CellValue]) -> bool:
    return any(isinstance(c, str) and _SLASH.fullmatch(c.strip()) for c in cells)


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise ValueError(f"{number:g} is not a date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _from_text(text: str, order: str) -> dt.date:
    found = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?", text)
    if found:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    found = _SLASH.fullmatch(text)
    if found:
        a, b, year = int(found.group(1)), int(found.group(2)), _year(found.group(3))
        day, month = (a, b) if order == DAY_FIRST else (b, a)
        return dt.date(year, month, day)
    found = re.fullmatch(r"(\d{1,2})[.-](\d{1,2})[.-](\d{2}|\d{4})\.?", text)
    if found:
        return dt.date(_year(found.group(3)), int(found.group(2)), int(found.group(1)))
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial(float(text))
    parts = re.sub(r"[,.\-/]", " ", text.lower()).split()
    if len(parts) == 3:
        if parts[0] in _MONTHS and parts[1].rstrip("stndrh").isdigit():  # Mar 3, 2027
            return dt.date(_year(parts[2]), _MONTHS[parts[0]], int(parts[1].rstrip("stndrh")))
        if parts[1] in _MONTHS and parts[0].rstrip("stndrh").isdigit():  # 3 March 2027
            return dt.date(_year(parts[2]), _MONTHS[parts[1]], int(parts[0].rstrip("stndrh")))
    raise ValueError("not a date")


def parse_date(value: CellValue, order: str = MONTH_FIRST) -> dt.date | None:
    """A due date from a real date cell, an Excel serial number or text in the usual forms;
    None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    text = str(value).strip()
    try:
        day = _from_text(text, order)
    except ValueError:
        raise ValueError(
            f"due date {short(text)!r} is not a date (use e.g. 2027-03-31, 3/31/2027 or 31.03.2027)"
        ) from None
    if not 1900 <= day.year <= 2200:
        raise ValueError(f"due date {short(text)!r} is out of range")
    return day
