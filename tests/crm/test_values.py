"""CRM cell values: dates and amounts as Salesforce, HubSpot and spreadsheets write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mutualplan.crm.reader import detect_source, outcome_of
from mutualplan.crm.values import key_of, parse_amount, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.datetime(2026, 3, 1)),
        ("2026-03-01T10:00:00.000Z", dt.datetime(2026, 3, 1, 10, 0)),
        ("2026-03-01T10:00:00.000+0200", dt.datetime(2026, 3, 1, 8, 0)),
        ("2026-03-01 10:00", dt.datetime(2026, 3, 1, 10, 0)),
        ("3/1/2026", dt.datetime(2026, 3, 1)),
        ("3/1/2026 4:30 PM", dt.datetime(2026, 3, 1, 16, 30)),
        ("25/1/2026", dt.datetime(2026, 1, 25)),
        ("01.03.2026", dt.datetime(2026, 3, 1)),
        ("1772359200000", dt.datetime(2026, 3, 1, 10, 0)),
        (dt.date(2026, 3, 1), dt.datetime(2026, 3, 1)),
    ],
)
def test_it_reads_the_dates_crms_and_spreadsheets_write(text: object, expected: object) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01", "2/30/2026", "=TODAY()"])
def test_it_names_a_cell_that_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_datetime(text)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$120,000.00", "120000.00", "USD"),
        ("1.250.000,00 €", "1250000.00", "EUR"),
        ("EUR 9 900,50", "9900.50", "EUR"),
        ("12000", "12000.00", ""),
        ("75,000", "75000.00", ""),
        ("43000.5", "43000.50", ""),
        (98000.0, "98000.00", ""),
    ],
)
def test_it_reads_amounts_with_symbols_and_separators(
    text: object, amount: str, currency: str
) -> None:
    assert parse_amount(text) == (Decimal(amount), currency)


@pytest.mark.parametrize("text", ["-5", "=1+1", "lots", "1" * 20])
def test_it_refuses_negative_formula_and_huge_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_closed_stages_of_both_crms_are_won_or_lost_and_the_rest_open() -> None:
    assert [outcome_of(s) for s in ("Closed Won", "closedwon", "Closed won", "Won")] == ["won"] * 4
    assert [outcome_of(s) for s in ("Closed Lost", "closedlost", "Closed lost")] == ["lost"] * 3
    assert outcome_of("Negotiation/Review") == "open"
    assert key_of("Negotiation/Review") == "negotiation_review"


def test_the_source_is_recognised_from_the_headers() -> None:
    assert detect_source(["Opportunity ID", "Stage"]) == "salesforce"
    assert detect_source(["Id", "StageName"]) == "salesforce"
    assert detect_source(["Record ID", "Deal Stage"]) == "hubspot"
    assert detect_source(["hs_object_id", "dealstage"]) == "hubspot"
    assert detect_source(["Ref", "Phase"]) == "generic"
