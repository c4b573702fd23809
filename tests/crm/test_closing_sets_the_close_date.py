"""A deal the CRM reports won closes its plan on the CRM's close date; with no close date in
the file, the plan closes today and that is the deal's close date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Deal, Plan
from mutualplan.plans.services.deal_imports import import_deals
from mutualplan.workspaces.models import Workspace
from tests.crm.conftest import fixture

pytestmark = pytest.mark.django_db


def without_close_dates(content: bytes, won: str) -> bytes:
    """The report with its close-date column left out and the deal `won` closed won."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    column = rows[0].index("Close Date")
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    for row in rows:
        if row and row[0] == won:
            row[2] = "Closed Won"
        writer.writerow([v for i, v in enumerate(row) if i != column] if len(row) > column else row)
    return out.getvalue().encode()


def test_a_deal_won_in_a_file_without_close_dates_closes_today(
    workspace: Workspace, owner: Any
) -> None:
    actor = Actor.seller(owner)
    import_deals(workspace, actor, fixture("salesforce_report.csv"), create_plans=True)
    expected = Deal.objects.get(workspace=workspace, crm_id="0065g00000AbCdE3").close_date
    assert expected == dt.date(2027, 2, 26)
    now = timezone.now().replace(year=2027, month=1, day=12, hour=12)
    with mock.patch("django.utils.timezone.now", return_value=now):
        result = import_deals(
            workspace,
            actor,
            without_close_dates(fixture("salesforce_report.csv"), "Vandelay - Pilot"),
        )
    assert result.plans_closed == 1
    vandelay = Deal.objects.get(workspace=workspace, crm_id="0065g00000AbCdE3")
    assert Plan.objects.get(deal=vandelay).status == "won"
    assert vandelay.close_date == dt.date(2027, 1, 12)
