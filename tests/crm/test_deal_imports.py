"""Importing deals from a CRM export: created or updated by CRM id, nothing written twice,
closed deals with their real dates, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, Deal, Milestone, Plan
from mutualplan.plans.services.deal_imports import import_deals
from mutualplan.plans.services.plans import DealInput, create_plan
from mutualplan.workspaces.models import Workspace
from tests.crm.conftest import GENERIC_MAPPING, fixture, salesforce_rows

pytestmark = pytest.mark.django_db


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def deal(workspace: Workspace, crm_id: str) -> Deal:
    return Deal.objects.select_related("owner").get(workspace=workspace, crm_id=crm_id)


def test_a_salesforce_report_imports_every_deal_with_its_real_dates(
    workspace: Workspace, owner: Any, teammate: Any
) -> None:
    result = import_deals(workspace, Actor.seller(owner), fixture("salesforce_report.csv"))

    assert (result.source, result.created, result.updated, result.unchanged) == (
        "salesforce",
        4,
        0,
        0,
    )
    won = deal(workspace, "0065g00000AbCdE1")
    assert (won.account_name, won.stage, won.account_type) == (
        "Initech",
        "closed_won",
        "enterprise",
    )
    assert (won.created_at, won.close_date) == (utc(2026, 1, 10), dt.date(2026, 3, 15))
    assert (won.amount, won.currency, won.owner) == (Decimal("120000.00"), "USD", owner)
    assert won.crm_ref == "0065g00000AbCdE1" and won.crm_source == "salesforce"
    lost = deal(workspace, "0065g00000AbCdE2")
    assert (lost.stage, lost.account_type, lost.owner) == ("closed_lost", "mid_market", teammate)
    assert (lost.created_at, lost.close_date) == (utc(2026, 2, 1), dt.date(2026, 4, 30))
    # An owner who is no seller here: the importer owns the deal, and the report says so.
    assert deal(workspace, "0065g00000AbCdE3").owner == owner
    assert result.unmatched_owners == ["Pat Unknown"]
    # The CRM's open stages join the workspace's stages, before the closing ones.
    workspace.refresh_from_db()
    assert result.stages_added == ["negotiation_review", "proposal_price_quote"]
    assert workspace.stages[-4:] == [
        "negotiation_review",
        "proposal_price_quote",
        "closed_won",
        "closed_lost",
    ]
    assert deal(workspace, "0065g00000AbCdE4").stage == "proposal_price_quote"


def test_a_second_import_of_the_same_file_writes_nothing_at_all(
    workspace: Workspace, owner: Any
) -> None:
    content = fixture("salesforce_report.csv")
    import_deals(workspace, Actor.seller(owner), content, create_plans=True)
    before = {
        "deals": list(Deal.objects.order_by("id").values_list("id", "version")),
        "plans": list(Plan.objects.order_by("id").values_list("id", "version", "updated_at")),
        "rows": Milestone.objects.count(),
        "activity": Activity.objects.count(),
        "stages": Workspace.objects.get(id=workspace.id).stages,
    }

    with CaptureQueriesContext(connection) as queries:
        again = import_deals(workspace, Actor.seller(owner), content, create_plans=True)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (again.plans_created, again.plans_closed, again.stages_added) == (0, 0, [])
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert before == {
        "deals": list(Deal.objects.order_by("id").values_list("id", "version")),
        "plans": list(Plan.objects.order_by("id").values_list("id", "version", "updated_at")),
        "rows": Milestone.objects.count(),
        "activity": Activity.objects.count(),
        "stages": Workspace.objects.get(id=workspace.id).stages,
    }


def test_open_deals_get_a_plan_targeting_their_close_date_and_closed_deals_none(
    workspace: Workspace, owner: Any
) -> None:
    result = import_deals(
        workspace, Actor.seller(owner), fixture("salesforce_report.csv"), create_plans=True
    )

    assert result.plans_created == 2
    plans = {p.deal.crm_id: p for p in Plan.objects.select_related("deal")}
    assert set(plans) == {"0065g00000AbCdE3", "0065g00000AbCdE4"}
    vandelay = plans["0065g00000AbCdE3"]
    assert (vandelay.status, vandelay.target_date) == ("active", dt.date(2027, 2, 26))
    assert vandelay.deal.crm_ref == "0065g00000AbCdE3"
    assert vandelay.activities.get().verb == "plan_created"
    # The same rows, dates and dependencies as a plan created by hand for that date.
    by_hand = create_plan(
        workspace,
        Actor.seller(owner),
        DealInput(account_name="Vandelay", account_type="smb", stage="demo"),
        target_date=dt.date(2027, 2, 26),
    )
    assert _rows(vandelay) == _rows(by_hand) and len(_rows(vandelay)) == 8


def _rows(plan: Plan) -> list[tuple[Any, ...]]:
    return [
        (m.position, m.title, m.owner_side, m.due_date, m.anchor_offset, m.high_risk)
        + (sorted(d.title for d in m.depends_on.all()),)
        for m in plan.milestones.order_by("position")
    ]


def test_a_deal_won_in_the_crm_closes_its_plan_and_keeps_its_dates(
    workspace: Workspace, owner: Any
) -> None:
    actor = Actor.seller(owner)
    import_deals(workspace, actor, fixture("salesforce_report.csv"), create_plans=True)
    won_later = (
        fixture("salesforce_report.csv")
        .decode("utf-8-sig")
        .replace('"Negotiation/Review","2/26/2027"', '"Closed Won","1/20/2027"')
        .encode()
    )

    result = import_deals(workspace, actor, won_later, create_plans=True)

    assert (result.created, result.updated, result.unchanged, result.plans_closed) == (0, 1, 3, 1)
    vandelay = deal(workspace, "0065g00000AbCdE3")
    assert (vandelay.stage, vandelay.close_date) == ("closed_won", dt.date(2027, 1, 20))
    assert vandelay.created_at == utc(2026, 10, 5)
    plan = Plan.objects.get(deal=vandelay)
    assert plan.status == "won"
    lines = list(plan.activities.values_list("verb", "summary"))
    assert ("plan_updated", "updated stage, close date from salesforce") in lines
    assert ("plan_updated", "edited status") in lines


def test_salesforce_api_names_import_too(workspace: Workspace, owner: Any) -> None:
    result = import_deals(workspace, Actor.seller(owner), fixture("salesforce_api.csv"))

    assert (result.source, result.created) == ("salesforce", 2)
    umbrella = deal(workspace, "0065g00000XyZ001")
    assert (umbrella.account_name, umbrella.stage, umbrella.currency) == (
        "Umbrella Corp",
        "closed_won",
        "EUR",
    )
    assert (umbrella.created_at, umbrella.close_date) == (utc(2026, 1, 3, 10), dt.date(2026, 5, 20))
    # No account type in the file: new deals get the workspace's first one.
    assert umbrella.account_type == "smb"
    assert result.unmatched_owners == ["0055g000001AbC"]


@pytest.mark.parametrize("name", ["hubspot_export.csv", "hubspot_properties.csv"])
def test_both_hubspot_header_styles_import_into_deals_and_plans(
    workspace: Workspace, owner: Any, teammate: Any, name: str
) -> None:
    result = import_deals(workspace, Actor.seller(owner), fixture(name), create_plans=True)

    assert result.source == "hubspot"
    deals = Deal.objects.filter(workspace=workspace, crm_source="hubspot")
    closed = deals.get(stage="closed_won")
    assert closed.close_date is not None and closed.close_date.year == 2026
    assert closed.created_at.year == 2026 and not hasattr(closed, "plan")
    assert result.plans_created == 1
    open_plan = Plan.objects.get(deal__workspace=workspace)
    assert open_plan.target_date == open_plan.deal.close_date
    again = import_deals(workspace, Actor.seller(owner), fixture(name))
    assert result.created == again.unchanged == deals.count()


def test_the_hubspot_export_matches_owners_by_name(
    workspace: Workspace, owner: Any, teammate: Any
) -> None:
    import_deals(workspace, Actor.seller(owner), fixture("hubspot_export.csv"))

    assert deal(workspace, "9002").owner == teammate
    assert (deal(workspace, "9002").stage, deal(workspace, "9002").close_date) == (
        "closed_lost",
        dt.date(2026, 7, 15),
    )
    assert deal(workspace, "9003").account_name == "Soylent"


def test_a_csv_with_unknown_headers_imports_after_a_mapping(
    workspace: Workspace, owner: Any, teammate: Any
) -> None:
    with pytest.raises(Invalid) as refused:
        import_deals(workspace, Actor.seller(owner), fixture("generic.csv"))
    assert [e["field"] for e in refused.value.errors] == ["columns"] * 3
    assert "'Ref'" in refused.value.errors[0]["message"]

    result = import_deals(
        workspace, Actor.seller(owner), fixture("generic.csv"), mapping=GENERIC_MAPPING
    )

    assert (result.source, result.created) == ("generic", 2)
    massive = deal(workspace, "P-100")
    assert (massive.amount, massive.currency, massive.stage) == (
        Decimal("1250000.00"),
        "EUR",
        "closed_won",
    )
    assert (massive.created_at, massive.close_date) == (utc(2026, 2, 1), dt.date(2026, 5, 28))
    assert deal(workspace, "P-101").owner == teammate


def test_two_bad_rows_import_nothing_and_name_both_lines(workspace: Workspace, owner: Any) -> None:
    content = (
        b"Opportunity ID,Account Name,Stage,Close Date,Created Date,Amount\n"
        b"006A,Good One,Qualification,6/30/2027,1/15/2026,100\n"
        b"006B,Bad Date,Qualification,someday,1/15/2026,100\n"
        b"006C,Fine,Qualification,6/30/2027,1/15/2026,100\n"
        b"006D,Bad Amount,Closed Won,,1/15/2026,-5\n"
    )

    with pytest.raises(Invalid) as refused:
        import_deals(workspace, Actor.seller(owner), content, create_plans=True)

    assert refused.value.errors == [
        {
            "field": "line 3",
            "message": "Close Date: 'someday' is not a date (use YYYY-MM-DD, M/D/YYYY or D.M.YYYY)",
        },
        {"field": "line 5", "message": "Close Date: a won deal needs its close date"},
        {"field": "line 5", "message": "Amount: '-5' is negative"},
    ]
    assert Deal.objects.count() == 0 and Plan.objects.count() == 0
    assert Workspace.objects.get(id=workspace.id).stages == workspace.stages


def test_a_crm_id_twice_in_one_file_is_refused(workspace: Workspace, owner: Any) -> None:
    content = salesforce_rows(2).replace(b"000000000001", b"000000000000")

    with pytest.raises(Invalid) as refused:
        import_deals(workspace, Actor.seller(owner), content)

    assert refused.value.errors == [
        {"field": "line 3", "message": "Opportunity ID: '006000000000000' is already on line 2"}
    ]


def test_the_same_crm_id_in_two_workspaces_is_two_deals(
    workspace: Workspace, owner: Any, other_workspace: Workspace, outsider: Any
) -> None:
    content = fixture("salesforce_report.csv")
    import_deals(workspace, Actor.seller(owner), content)

    theirs = import_deals(other_workspace, Actor.seller(outsider), content)

    assert (theirs.created, theirs.unchanged) == (4, 0)
    assert Deal.objects.filter(crm_id="0065g00000AbCdE1").count() == 2
    assert deal(other_workspace, "0065g00000AbCdE1").owner == outsider
    # The outsider's import never touched our deals nor our stages.
    assert deal(workspace, "0065g00000AbCdE1").owner == owner
    assert deal(workspace, "0065g00000AbCdE1").version == 1


def test_formula_looking_cells_are_stored_as_text_never_evaluated(
    workspace: Workspace, owner: Any
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Opportunity ID", "Account Name", "Stage", "Close Date", "Created Date"])
    sheet.append(["006X1", "=1+1", "Qualification", dt.datetime(2027, 6, 30), "2026-01-15"])
    sheet.append(["006X2", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)

    import_deals(workspace, Actor.seller(owner), buffer.getvalue())

    first = deal(workspace, "006X1")
    assert (first.account_name, first.close_date) == ("=1+1", dt.date(2027, 6, 30))
    assert deal(workspace, "006X2").account_name == '=HYPERLINK("http://evil.example","x")'
    assert deal(workspace, "006X2").stage == "sum_a1"


def test_a_dry_run_counts_what_it_would_do_and_saves_nothing(
    workspace: Workspace, owner: Any
) -> None:
    result = import_deals(
        workspace,
        Actor.seller(owner),
        fixture("salesforce_report.csv"),
        create_plans=True,
        dry_run=True,
    )

    assert (result.created, result.plans_created, result.dry_run) == (4, 2, True)
    assert "4 would be created" in result.summary
    assert Deal.objects.count() == 0 and Plan.objects.count() == 0
    assert Workspace.objects.get(id=workspace.id).stages == workspace.stages


def test_an_unknown_template_is_refused_before_anything_is_saved(
    workspace: Workspace, owner: Any
) -> None:
    with pytest.raises(Invalid, match="unknown template 'nope'"):
        import_deals(
            workspace,
            Actor.seller(owner),
            fixture("salesforce_report.csv"),
            create_plans=True,
            template="nope",
        )
    assert Deal.objects.count() == 0


def _queries(workspace: Workspace, owner: Any, content: bytes) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_deals(workspace, Actor.seller(owner), content)
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    workspace: Workspace, owner: Any, other_workspace: Workspace, outsider: Any
) -> None:
    # Only batched writes grow, by one query per batch (SQLite's 999 bound parameters make
    # its batches small): never one query per row.
    fields = len(Deal._meta.concrete_fields)
    limit = connection.features.max_query_params
    per_batch = min(500, limit // (2 * fields + 1)) if limit else 500
    batches = math.ceil(900 / per_batch) + 2

    small = _queries(workspace, owner, salesforce_rows(100))
    large = _queries(other_workspace, outsider, salesforce_rows(1000))
    assert large - small <= batches < 900, (small, large)

    updated_small = _queries(workspace, owner, salesforce_rows(100, stage="Closed Lost"))
    updated_large = _queries(other_workspace, outsider, salesforce_rows(1000, stage="Closed Lost"))
    assert updated_large - updated_small <= batches, (updated_small, updated_large)
