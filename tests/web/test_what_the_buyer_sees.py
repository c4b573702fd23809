"""What the buyer sees through a share link (PRODUCT.md, "What the buyer sees"): the account
name, the date and its reason, the rows with shared notes and comments, owners, confirmation,
progress and the seller's contact; never the seller's deal data, private notes, warnings,
diagnosis or internal emails, on any output the link reaches."""

from __future__ import annotations

import asyncio
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from mutualplan.live.events import in_thread
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Activity, Plan
from mutualplan.plans.services.calendar_feeds import create_plan_feed
from mutualplan.workspaces.models import Workspace
from tests.conftest import BUYER, Api, api_for, day, make_seller, seller_plan, share_link_token
from tests.live.sse import AsgiStream, SseEvent, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

# Everything below is the seller's: not one of these strings may reach any buyer output.
SELLER_ONLY = {
    "deal amount": ["7319537", "7,319,537", "7 319 537", "7.319.537"],
    "deal stage": ["stage_quokka", "stage quokka", "stage_ocelot", "stage ocelot"],
    "account type": ["segment_platypus", "segment platypus"],
    "industry": ["narwhal"],
    "CRM reference": ["xyzzy"],
    "private notes": ["wombat", "private notes", "private_notes"],
    "share-link management": ["capybara", "a share link"],
    "deal edits": ["deal.stage", "deal.industry", "deal.amount"],
    "seller slip reasons": [
        "stakeholder_not_engaged",
        "stakeholder not engaged",
        "axolotl",
        "legal_or_security_delay",
        "legal or security delay",
        "pangolin",
    ],
    "seller emails": ["olivia@acme.example", "theo@acme.example"],
    "warnings for the seller": ["already in the past", "realistically takes"],
    "risk checklist answers": ["discovery finding", "has the owner been briefed"],
    "discovery findings": ["not yet known", "who owns the", "briefed on the project"],
    "stakeholder details": ["quetzal", "executive sponsor", "executive_sponsor"],
    "stakeholder activity": ["people on the buyer side"],
    "buyer engagement": ["days opened", "who on the buyer side", "buyer_visits", "days_visited"],
    "logged calls": ["marmoset", "call_logged", "logged the call", "next call"],
    "escalations": ["escalat", "mail client", "no update for", "where does"],
    "slip diagnostics": ["days slipped", "by owner side", "no reason given", "slip_summary"],
    "introduce a plan": ["introduce a plan", "introduced late", "introduced_late"],
    "forecast": [
        "forecast",
        "next best action",
        "p_by_target",
        "criticality",
        "effect_pp",
        "monte carlo",
        "fan-chart",
        "longest path",
        " pp:",
    ],
    # Every health code but `overdue` and `not_confirmed`, words the buyer's own page uses.
    "plan health": [
        "plan health",
        "no_target_date",
        "no_buyer_steps",
        "built_alone",
        "not_reviewed",
        "stale_buyer_step",
        "high_risk_unknowns",
        "compressed_dates",
        "unexplained_slip",
        "stale_plan",
        "buyer_silent",
        "too_many_steps",
        "built alone",
        "not reviewed",
        "stale buyer step",
        "unexplained slip",
        "buyer silent",
    ],
}


# The buyer's own picker of a reason for moving a date lists every category, the seller's
# diagnoses among them: it says nothing of which one the seller chose, so it is left out.
REASON_PICKER = re.compile(r'<dialog id="slip-dialog".*?</dialog>', re.S)


def leaks(outputs: dict[str, str]) -> list[tuple[str, str, str]]:
    """(output, what, text) for every seller-only string found in a buyer output."""
    return [
        (name, what, needle)
        for name, text in outputs.items()
        for what, needles in SELLER_ONLY.items()
        for needle in needles
        if needle in REASON_PICKER.sub("", text).lower()
    ]


def distinctive_deal(workspace: Workspace) -> None:
    workspace.stages = [*workspace.stages, "stage_quokka", "stage_ocelot"]
    workspace.account_types = [*workspace.account_types, "segment_platypus"]
    # Every open buyer step is stale at once: the seller's page has escalations to leak.
    workspace.stale_days = 0
    workspace.save()


def row_of(api: Api, plan_id: int, index: int) -> dict[str, Any]:
    return api.get(f"/plans/{plan_id}").json_body["milestones"][index]  # type: ignore[no-any-return]


def seller_history(
    owner: Any, owner_api: Api, teammate_api: Api, anonymous_api: Api
) -> tuple[int, str]:
    """A plan whose deal, rows and history carry every kind of seller-only information."""
    plan = seller_plan(
        owner,
        deal={
            "account_name": "Northwind Health",
            "account_type": "segment_platypus",
            "stage": "stage_quokka",
            "amount": 7319537,
            "currency": "USD",
            "industry": "Narwhal Logistics",
            "crm_ref": "006-XYZZY-42",
        },
    )
    plan_id = plan["id"]
    token = share_link_token(plan, owner, label="capybara CFO")
    first = plan["milestones"][0]
    risky = next(m for m in plan["milestones"][1:] if m["high_risk"])
    steps = [
        owner_api.patch(
            f"/plans/{plan_id}/milestones/{first['id']}",
            {"version": 1, "private_notes": "wombat: the champion leaves in June"},
        ),
        owner_api.patch(
            f"/plans/{plan_id}/milestones/{risky['id']}",
            {"version": risky["version"], "risk_checklist": {"owner_briefed": "no"}},
        ),
        # A step already overdue: a feasibility warning meant for the seller.
        owner_api.post(
            f"/plans/{plan_id}/milestones",
            {
                "title": "Reference call",
                "owner_side": "seller",
                "due_date": day(-3),
                "anchored": False,
                "turnaround_days": 30,
                "private_notes": "wombat again",
            },
        ),
        owner_api.patch(
            f"/plans/{plan_id}",
            {
                "version": owner_api.get(f"/plans/{plan_id}").json_body["version"],
                "deal": {"stage": "stage_ocelot", "industry": "Narwhal Freight"},
            },
        ),
        anonymous_api.post(f"/shared/{token}/confirm", {"actor": BUYER}),
        # A person on the buyer side who owns a buyer row: the buyer sees the name only.
        owner_api.post(
            f"/plans/{plan_id}/stakeholders",
            {
                "name": "Dana Whitfield",
                "email": "dana.quetzal@northwind.example",
                "title": "Quetzal programme lead",
                "role": "executive_sponsor",
                "owns": [next(m["id"] for m in plan["milestones"] if m["owner_side"] == "buyer")],
            },
        ),
    ]
    assert [r.status_code for r in steps] == [200, 200, 201, 200, 200, 201], [
        r.json_body for r in steps
    ]
    # A version sent before the slips and one after: the buyer reads what changed between.
    assert owner_api.post(f"/plans/{plan_id}/versions", {"note": ""}).status_code == 201
    version = owner_api.get(f"/plans/{plan_id}").json_body["version"]
    retarget = owner_api.post(
        f"/plans/{plan_id}/retarget",
        {
            "target_date": day(97),
            "version": version,
            "reason_category": "stakeholder_not_engaged",
            "reason_text": "axolotl: the sponsor went quiet",
        },
    )
    assert retarget.status_code == 200, retarget.json_body
    seller_row = next(m for m in retarget.json_body["milestones"] if m["owner_side"] == "seller")
    moved = teammate_api.patch(
        f"/plans/{plan_id}/milestones/{seller_row['id']}",
        {
            "version": seller_row["version"],
            "due_date": day(71),
            "reason_category": "legal_or_security_delay",
            "reason_text": "pangolin clause",
        },
    )
    assert moved.status_code == 200, moved.json_body
    # An escalation emailed from the app (to the sponsor, about a buyer row she does not own).
    dana_owns = next(m["id"] for m in plan["milestones"] if m["owner_side"] == "buyer")
    other = next(
        m for m in plan["milestones"] if m["owner_side"] == "buyer" and m["id"] != dana_owns
    )
    escalated = owner_api.post(f"/plans/{plan_id}/escalations/{other['id']}/send", {})
    assert escalated.status_code == 202, escalated.json_body
    assert owner_api.post(f"/plans/{plan_id}/versions", {"note": ""}).status_code == 201
    call = owner_api.post(
        f"/plans/{plan_id}/calls",
        {"attendees": "marmoset team", "notes": "marmoset budget", "next_call_on": day(7)},
    )
    assert call.status_code == 201, call.json_body
    seller = Client()
    seller.force_login(owner)
    comment = seller.post(
        f"/plans/{plan_id}/rows/{first['id']}/comment/", {"body": "Deck attached"}
    )
    assert comment.status_code == 302
    return plan_id, token


def buyer_api_outputs(api: Api, token: str) -> dict[str, str]:
    """Every answer of the shared API: the read, each write, and their errors."""
    seen = api.get(f"/shared/{token}")
    assert seen.status_code == 200
    rows = seen.json_body["milestones"]
    buyer_row = next(m for m in rows if m["owner_side"] == "buyer")
    seller_row = next(m for m in rows if m["owner_side"] == "seller")
    answers = {
        "GET /shared": seen,
        "POST /shared/milestones": api.post(
            f"/shared/{token}/milestones", {"actor": BUYER, "title": "Budget sign-off"}
        ),
        "PATCH /shared/milestones": api.patch(
            f"/shared/{token}/milestones/{buyer_row['id']}",
            {"actor": BUYER, "version": buyer_row["version"], "notes": "IT has it"},
        ),
        "PATCH /shared/milestones (409)": api.patch(
            f"/shared/{token}/milestones/{buyer_row['id']}",
            {"actor": BUYER, "version": buyer_row["version"], "notes": "stale"},
        ),
        "PATCH /shared/milestones (403)": api.patch(
            f"/shared/{token}/milestones/{seller_row['id']}",
            {"actor": BUYER, "version": seller_row["version"], "status": "done"},
        ),
        "POST /shared/confirm": api.post(f"/shared/{token}/confirm", {"actor": BUYER}),
        "GET /shared/changes": api.get(f"/shared/{token}/changes"),
    }
    assert [r.status_code for r in answers.values()] == [200, 201, 200, 409, 403, 200, 200]
    assert answers["GET /shared/changes"].json_body["revised"] is True
    assert answers["PATCH /shared/milestones (409)"].json_body["current"]["notes"] == "IT has it"
    return {name: r.content.decode() for name, r in answers.items()}


def buyer_page_outputs(plan_id: int, token: str) -> dict[str, str]:
    """Every page and fragment of /s/<token>/, and the answers of the page's own writes."""
    client = Client()
    json_accept = {"Accept": "application/json"}
    out = {"identify page": client.get(f"/s/{token}/")}
    out["identify page (error)"] = client.post(f"/s/{token}/", {"name": "", "email": "x"})
    client.post(f"/s/{token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    out["buyer page"] = client.get(f"/s/{token}/")
    out["identify page (change)"] = client.get(f"/s/{token}/?change=1")
    out["rows fragment"] = client.get(f"/s/{token}/rows/")
    rows = list(Plan.objects.get(id=plan_id).milestones.all())
    for row in rows:
        out[f"row fragment {row.id}"] = client.get(f"/s/{token}/rows/{row.id}/")
    buyer_row = next(r for r in rows if r.owner_side == "buyer")
    out["add row"] = client.post(
        f"/s/{token}/rows/add/", {"title": "Security questionnaire prep"}, headers=json_accept
    )
    out["edit row"] = client.post(
        f"/s/{token}/rows/{buyer_row.id}/edit/",
        {"version": str(buyer_row.version), "status": "in_progress"},
        headers=json_accept,
    )
    out["edit row (409)"] = client.post(
        f"/s/{token}/rows/{buyer_row.id}/edit/",
        {"version": str(buyer_row.version), "status": "blocked"},
        headers=json_accept,
    )
    out["comment"] = client.post(
        f"/s/{token}/rows/{buyer_row.id}/comment/", {"body": "On it"}, headers=json_accept
    )
    dated = next(r for r in rows if r.due_date)
    out["confirm row"] = client.post(f"/s/{token}/rows/{dated.id}/confirm/", follow=True)
    out["confirm"] = client.post(f"/s/{token}/confirm/", follow=True)
    statuses = {name: r.status_code for name, r in out.items()}
    assert statuses["identify page"] == statuses["buyer page"] == 200
    assert statuses["identify page (error)"] == 400 and statuses["edit row (409)"] == 409
    assert "Northwind Health" in out["buyer page"].content.decode()
    assert "What changed since" in out["buyer page"].content.decode()
    assert "Northwind Health" in out["identify page"].content.decode()
    texts = {name: r.content.decode() for name, r in out.items()}
    # The plan as files the champion forwards (documents/): their text, words unwrapped.
    pdf = client.get(f"/s/{token}/plan.pdf")
    xlsx = client.get(f"/s/{token}/plan.xlsx")
    assert pdf.status_code == xlsx.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    texts["plan.pdf"] = " ".join(" ".join(page.extract_text() for page in pages).split())
    book = load_workbook(io.BytesIO(xlsx.content))
    texts["plan.xlsx"] = " ".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
    )
    assert "Northwind Health" in texts["plan.pdf"] and "Northwind Health" in texts["plan.xlsx"]
    # The plan's dates as a calendar file and as the plan's feed (either may be handed over).
    stored = Plan.objects.get(id=plan_id)
    _, feed_token = create_plan_feed(stored, Actor.seller(stored.created_by))
    for name, response in (
        ("plan.ics", client.get(f"/s/{token}/plan.ics")),
        ("plan calendar feed", Client().get(f"/calendar/{feed_token}.ics")),
    ):
        assert response.status_code == 200, name
        events = Calendar.from_ical(response.content).walk("VEVENT")
        texts[name] = " ".join(
            str(event.get(key, "")) for event in events for key in ("summary", "description")
        )
        assert "Northwind Health" in texts[name] and "URL" not in (
            line.split(":")[0] for line in response.content.decode().splitlines()
        )
    return texts


def buyer_stream_outputs(
    owner_api: Api, seller_cookie: str, plan_id: int, token: str
) -> tuple[str, list[SseEvent]]:
    """The buyer's stream from the very first activity (a replay of the whole history), then
    live while the seller makes seller-only changes and one the buyer may see."""
    first = owner_api.get(f"/plans/{plan_id}").json_body["milestones"][0]

    async def scenario() -> list[SseEvent]:
        seller = AsgiStream(f"/plans/{plan_id}/events", headers={"cookie": seller_cookie})
        buyer = AsgiStream(f"/s/{token}/events", query="name=Priya&last=0")
        events = []
        async with seller, buyer:
            # The buyer hears who is viewing: the seller too, once both have joined.
            while not (events and events[-1].event == "presence" and events[-1].data["total"] == 2):
                event = await buyer.next_event()
                assert event is not None, "the buyer stream ended"
                events.append(event)
            path = f"/plans/{plan_id}/milestones/{first['id']}"
            version = first["version"]
            await in_thread(owner_api.patch)(
                path, {"version": version, "private_notes": "wombat, live"}
            )
            await in_thread(owner_api.post)(
                f"/plans/{plan_id}/share-links", {"label": "capybara legal"}
            )
            plan_version = (await in_thread(owner_api.get)(f"/plans/{plan_id}")).json_body[
                "version"
            ]
            await in_thread(owner_api.patch)(
                f"/plans/{plan_id}", {"version": plan_version, "deal": {"stage": "stage_quokka"}}
            )
            await in_thread(owner_api.patch)(path, {"version": version + 1, "notes": "Agenda"})
            final = await in_thread(
                lambda: Activity.objects.filter(plan_id=plan_id).latest("id").id
            )()
            while True:
                event = await buyer.next_event()
                assert event is not None, "the buyer stream ended"
                events.append(event)
                if event.event == "activity" and event.data["id"] == final:
                    break
            await buyer.no_more_activity()
            return events

    events = asyncio.run(scenario())
    return "\n".join(f"{e.event} {e.id} {json.dumps(e.data)}" for e in events), events


def test_no_buyer_output_carries_anything_of_the_sellers_deal_notes_diagnosis_or_emails(
    settings: Any,
    workspace: Workspace,
    owner: Any,
    owner_api: Api,
    teammate_api: Api,
    anonymous_api: Api,
) -> None:
    settings.REDIS_URL = ""
    distinctive_deal(workspace)
    plan_id, token = seller_history(owner, owner_api, teammate_api, anonymous_api)
    seller_cookie = session_cookie(owner)

    outputs = buyer_api_outputs(anonymous_api, token)
    outputs |= buyer_page_outputs(plan_id, token)
    stream, events = buyer_stream_outputs(owner_api, seller_cookie, plan_id, token)
    outputs["buyer live stream"] = stream

    assert leaks(outputs) == []
    # Not vacuous: the buyer did get the plan, its history and the seller's presence.
    summaries = [e.data["summary"] for e in events if e.event == "activity"]
    assert "created the plan" in summaries
    assert any(s.startswith("moved the target date from ") for s in summaries)
    assert any(e.event == "presence" and "Olivia Owner" in json.dumps(e.data) for e in events)
    assert summaries[-1] == f"updated '{row_of(owner_api, plan_id, 0)['title']}': notes"
    # The owner person of a buyer row is named to the buyer, without their email or role.
    assert "Dana Whitfield" in outputs["buyer page"] and "Dana Whitfield" in outputs["GET /shared"]
    # The seller did record the buyer's visit, and sees it.
    visits = owner_api.get(f"/plans/{plan_id}/buyer-visits").json_body
    assert [(v["email"], v["days_visited"]) for v in visits] == [(BUYER["email"], 1)]


def test_the_seller_still_sees_the_deal_the_private_notes_and_the_reasons(
    settings: Any,
    workspace: Workspace,
    owner: Any,
    owner_api: Api,
    teammate_api: Api,
    anonymous_api: Api,
) -> None:
    distinctive_deal(workspace)
    plan_id, _ = seller_history(owner, owner_api, teammate_api, anonymous_api)
    seen = owner_api.get(f"/plans/{plan_id}").json_body
    assert seen["deal"] | {"id": 0} == {
        "id": 0,
        "account_name": "Northwind Health",
        "account_type": "segment_platypus",
        "industry": "Narwhal Freight",
        "amount": 7319537.0,
        "currency": "USD",
        "stage": "stage_ocelot",
        "crm_ref": "006-XYZZY-42",
        "owner": "olivia@acme.example",
    }
    assert seen["milestones"][0]["private_notes"] == "wombat: the champion leaves in June"
    assert any("already in the past" in w["message"] for w in seen["warnings"])
    activity = owner_api.get(f"/plans/{plan_id}/activity").json_body
    summaries = [a["summary"] for a in activity]
    assert "created a share link (capybara CFO)" in summaries
    assert any(s.endswith("to dana.quetzal@northwind.example") for s in summaries)
    assert "edited deal.industry, deal.stage" in summaries
    assert any(s.endswith("; stakeholder not engaged") for s in summaries)
    slips = owner_api.get(f"/plans/{plan_id}/slips").json_body
    assert {s["reason_text"] for s in slips} >= {
        "axolotl: the sponsor went quiet",
        "pangolin clause",
    }
    client = Client()
    client.force_login(owner)
    page = client.get(f"/plans/{plan_id}/").content.decode()
    for shown in ("segment_platypus", "Narwhal Freight", "7,319,537", "stage_ocelot", "wombat"):
        assert shown in page
    assert "Discovery finding" in page and "already in the past" in page
    for shown in ("dana.quetzal@northwind.example", "Quetzal programme lead", "Executive sponsor"):
        assert shown in page
    assert "been briefed on the project for" in page
    findings = owner_api.get(f"/plans/{plan_id}/findings").json_body
    assert any(f["answer"] == "no" and f["key"] == "owner_briefed" for f in findings)
    # The escalations and the slip diagnostics the buyer never sees.
    assert "Send escalation" in page and "escalate to <strong>Dana Whitfield</strong>" in page
    assert "Escalated to dana.quetzal@northwind.example on" in page
    assert "days slipped" in page and "Stakeholder not engaged" in page
    # The forecast and the next best actions.
    assert 'class="fan-chart"' in page and "Next best actions" in page
    drafts = owner_api.get(f"/plans/{plan_id}/escalations").json_body["escalations"]
    assert drafts and all(d["mailto"].startswith("mailto:") for d in drafts)


def test_the_buyer_sees_the_sellers_name_and_an_email_only_when_the_seller_chooses_one(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    contact = anonymous_api.get(f"/shared/{share_token}").json_body["seller_contact"]
    assert contact == {"name": "Olivia Owner", "company": "Acme Software", "email": None}
    buyer = Client()
    buyer.post(f"/s/{share_token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    page = buyer.get(f"/s/{share_token}/").content.decode()
    assert "Olivia Owner" in page and "olivia@acme.example" not in page

    chosen = owner_api.patch(
        f"/plans/{plan['id']}", {"version": plan["version"], "contact_email": "deals@acme.example"}
    )
    assert chosen.status_code == 200 and chosen.json_body["contact_email"] == "deals@acme.example"
    contact = anonymous_api.get(f"/shared/{share_token}").json_body["seller_contact"]
    assert contact["email"] == "deals@acme.example"
    page = buyer.get(f"/s/{share_token}/").content.decode()
    assert 'href="mailto:deals@acme.example"' in page and "olivia@acme.example" not in page

    cleared = owner_api.patch(
        f"/plans/{plan['id']}", {"version": chosen.json_body["version"], "contact_email": ""}
    )
    assert cleared.status_code == 200
    assert anonymous_api.get(f"/shared/{share_token}").json_body["seller_contact"]["email"] is None


def test_a_contact_email_that_is_not_an_email_is_refused_and_changes_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.patch(
        f"/plans/{plan['id']}", {"version": plan["version"], "contact_email": "not an email"}
    )
    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "contact_email", "message": "is not an email address"}
    ]
    assert Plan.objects.get(id=plan["id"]).contact_email == ""


def test_the_seller_chooses_the_contact_email_on_the_plan_page(
    owner: Any, plan: dict[str, Any], share_token: str, anonymous_api: Api
) -> None:
    seller = Client()
    seller.force_login(owner)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert 'name="contact_email"' in page
    response = seller.post(
        f"/plans/{plan['id']}/contact/",
        {"version": str(plan["version"]), "contact_email": "olivia.deals@acme.example"},
        follow=True,
    )
    assert response.status_code == 200
    assert "olivia.deals@acme.example" in response.content.decode()
    assert Plan.objects.get(id=plan["id"]).contact_email == "olivia.deals@acme.example"
    shown = anonymous_api.get(f"/shared/{share_token}").json_body["seller_contact"]
    assert shown["email"] == "olivia.deals@acme.example"


def test_a_seller_without_a_name_reaches_the_buyer_without_their_email(
    settings: Any, workspace: Workspace, anonymous_api: Api
) -> None:
    settings.REDIS_URL = ""
    nameless = make_seller("nadia.k@acme.example", workspace, "")
    api = api_for(nameless, workspace)
    plan = seller_plan(nameless)
    token = share_link_token(plan, nameless, label="")
    row = plan["milestones"][1]
    api.patch(f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "status": "done"})
    seller = Client()
    seller.force_login(nameless)
    seller.post(f"/plans/{plan['id']}/rows/{row['id']}/comment/", {"body": "Sent the pack"})
    cookie = session_cookie(nameless)

    async def presence() -> dict[str, Any]:
        seller = AsgiStream(f"/plans/{plan['id']}/events", headers={"cookie": cookie})
        async with seller, AsgiStream(f"/s/{token}/events", query="name=Priya") as stream:
            while True:
                event = await stream.next_of("presence")
                if event.data["total"] == 2:
                    return dict(event.data)

    shared = anonymous_api.get(f"/shared/{token}")
    buyer = Client()
    buyer.post(f"/s/{token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    page = buyer.get(f"/s/{token}/").content.decode()
    viewers = asyncio.run(presence())
    assert shared.json_body["seller_contact"]["name"] == "nadia.k"
    for output in (shared.content.decode(), page, json.dumps(viewers)):
        assert "nadia.k@acme.example" not in output
        assert "nadia.k" in output
