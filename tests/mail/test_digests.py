"""The daily digests through a real SMTP server: `mutualplan remind` sends each seller and each
buyer stakeholder one digest a day however often it runs, the buyer's holds only what the
buyer sees and links to their own standing share link, and unsubscribing stops it."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from mutualplan.cli import main
from mutualplan.digests.models import DigestDelivery, DigestOptOut
from mutualplan.digests.services import TAKEN, prepare, send, unsubscribe_token
from mutualplan.digests.tasks import daily_digests
from mutualplan.plans.models import Plan, ShareLink
from mutualplan.workspaces.clock import today_for
from tests.conftest import make_plan, make_seller
from tests.mail.conftest import Inbox, parts, wait_for
from tests.mail.digest_data import PRIVATE, SAMS_STEP, seed_digest_plan

pytestmark = pytest.mark.django_db(transaction=True)

SELLER_ONLY = ["120000", "120,000", "evaluation", "enterprise", "wombat", "not_confirmed"]


def remind(*args: str) -> Any:
    return CliRunner().invoke(main, ["remind", *args], catch_exceptions=False)


def by_recipient(inbox: Inbox) -> dict[str, Any]:
    return {parseaddr(m["To"])[1]: m for m in inbox.messages}


@pytest.fixture
def digest_plan(owner: Any) -> Plan:
    plan = make_plan(owner)
    seed_digest_plan(plan)
    return plan


def test_remind_run_twice_sends_one_digest_per_recipient(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    first = remind()
    second = remind()

    assert first.exit_code == 0, first.output
    assert "2 digests sent, 0 already sent today, 0 recipients unsubscribed" in first.output
    assert "0 digests sent, 2 already sent today" in second.output
    assert sorted(smtp_server.recipients) == ["olivia@acme.example", "sam@buyer.example"]
    rows = DigestDelivery.objects.order_by("kind")
    assert [(d.kind, d.recipient, d.status, d.attempts) for d in rows] == [
        ("buyer", "sam@buyer.example", "sent", 1),
        ("seller", "olivia@acme.example", "sent", 1),
    ]


def test_the_buyer_digest_lists_their_own_overdue_step_and_links_to_the_buyer_page(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    remind()

    message = by_recipient(smtp_server)["sam@buyer.example"]
    assert parseaddr(message["From"]) == ("Acme Software", "plans@acme.example")
    text = parts(message)
    assert set(text) == {"text/plain", "text/html"}
    assert "Hello Sam Security" in text["text/plain"]
    assert "Overdue:" in text["text/plain"] and SAMS_STEP in text["text/plain"]
    assert SAMS_STEP in text["text/html"]
    [link] = re.findall(r"http://127\.0\.0\.1:8000/s/[\w-]+/", text["text/plain"])
    assert link in text["text/html"]
    page = Client().get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and "Northwind Health" in page.content.decode()
    everything = "\n".join([*text.values(), *(f"{k}: {v}" for k, v in message.items())])
    for secret in SELLER_ONLY:
        assert secret not in everything, secret
    assert PRIVATE not in everything


def test_the_seller_digest_lists_the_overdue_step_and_links_to_the_plan_page(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    remind()

    text = parts(by_recipient(smtp_server)["olivia@acme.example"])
    assert "Northwind Health" in text["text/plain"]
    assert f"http://127.0.0.1:8000/plans/{digest_plan.id}/" in text["text/plain"]
    assert f'href="http://127.0.0.1:8000/plans/{digest_plan.id}/"' in text["text/html"]
    assert "Overdue:" in text["text/plain"]
    assert f"- {SAMS_STEP} (Sam Security, IT), due" in text["text/plain"]


def test_the_buyer_gets_the_same_link_every_day_and_a_revoked_one_is_replaced(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    remind()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert "2 digests sent" in remind().output
    links = [
        re.findall(r"/s/[\w-]+/", parts(m)["text/plain"])[0]
        for m in smtp_server.messages
        if parseaddr(m["To"])[1] == "sam@buyer.example"
    ]
    assert len(links) == 2 and links[0] == links[1]
    [standing] = ShareLink.objects.filter(plan=digest_plan).exclude(salt="")
    assert standing.label == "daily digest for sam@buyer.example"

    standing.revoked_at = timezone.now()
    standing.save()
    assert Client().get(links[0]).status_code == 410
    with mock.patch("django.utils.timezone.now", return_value=tomorrow + dt.timedelta(days=1)):
        remind()
    newest = re.findall(r"/s/[\w-]+/", parts(smtp_server.messages[-1])["text/plain"])
    sams = [m for m in smtp_server.messages if parseaddr(m["To"])[1] == "sam@buyer.example"]
    new_link = re.findall(r"/s/[\w-]+/", parts(sams[-1])["text/plain"])[0]
    assert newest and new_link != links[0]
    assert Client().get(new_link).status_code == 200


def test_a_buyer_who_unsubscribes_with_one_click_gets_no_more_digests(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    remind()
    message = by_recipient(smtp_server)["sam@buyer.example"]
    header = " ".join(message["List-Unsubscribe"].split())
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<http://127\.0\.0\.1:8000(/digests/unsubscribe/[^>]+/)>", header)
    assert url, header
    assert url.group(1) in parts(message)["text/plain"]
    # The mail client's one-click POST carries no CSRF cookie: the signed token suffices.
    browser = Client(enforce_csrf_checks=True)
    asked = browser.get(url.group(1))
    assert "Unsubscribe from the daily digest" in asked.content.decode()
    assert not DigestOptOut.objects.exists()

    done = browser.post(url.group(1), "List-Unsubscribe=One-Click", content_type="text/plain")

    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert list(DigestOptOut.objects.values_list("address", "kind")) == [
        ("sam@buyer.example", "buyer")
    ]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        again = remind()
    assert "1 digest sent, 0 already sent today, 1 recipient unsubscribed" in again.output
    assert [parseaddr(m["To"])[1] for m in smtp_server.messages].count("sam@buyer.example") == 1


def test_a_tampered_unsubscribe_link_gets_a_clear_400_page(digest_plan: Plan) -> None:
    prepare(digest_plan.workspace, today_for(digest_plan.workspace))
    token = unsubscribe_token(DigestDelivery.objects.first())  # type: ignore[arg-type]

    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", ".")):
        page = Client().post(f"/digests/unsubscribe/{bad}/")
        assert page.status_code == 400
        assert "this unsubscribe link is not valid" in page.content.decode()
    assert not DigestOptOut.objects.exists()


def test_a_seller_turns_their_digest_off_and_on_in_the_settings_page(
    owner: Any, digest_plan: Plan, smtp_server: Inbox
) -> None:
    browser = Client()
    browser.force_login(owner)
    assert "Your daily digest is <strong>on</strong>" in browser.get("/settings/").content.decode()

    off = browser.post("/settings/digest/", {"digest": "off"}, follow=True)

    assert "Your daily digest is <strong>off</strong>" in off.content.decode()
    assert "1 digest sent, 0 already sent today, 1 recipient unsubscribed" in remind().output
    assert smtp_server.recipients == ["sam@buyer.example"]
    browser.post("/settings/digest/", {"digest": "on"})
    assert not DigestOptOut.objects.exists()


def test_an_empty_digest_is_not_sent(owner: Any, smtp_server: Inbox) -> None:
    make_plan(owner)  # nothing overdue, nobody on the buyer side with an email

    result = remind()

    assert "0 digests sent, 0 already sent today, 0 recipients unsubscribed" in result.output
    assert smtp_server.messages == []
    assert not DigestDelivery.objects.exists()


def test_dry_run_shows_who_would_get_a_digest_and_sends_nothing(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    result = remind("--dry-run")

    assert "acme: would send the seller digest to olivia@acme.example" in result.output
    assert "acme: would send the buyer digest to sam@buyer.example (1 items)" in result.output
    assert "2 digests would be sent" in result.output
    assert smtp_server.messages == [] and not DigestDelivery.objects.exists()


def test_each_workspace_sends_only_its_own_plans_and_workspace_picks_one(
    digest_plan: Plan, other_workspace: Any, smtp_server: Inbox
) -> None:
    oscar = make_seller("oscar@globex.example", other_workspace, "Oscar Outsider")
    seed_digest_plan(make_plan(oscar, workspace=other_workspace))
    # Oscar's buyer is another Sam: same address, another workspace, its own digest.

    only_globex = remind("--workspace", "globex")

    assert "2 digests sent" in only_globex.output
    globex = by_recipient(smtp_server)
    assert sorted(globex) == ["oscar@globex.example", "sam@buyer.example"]
    assert parseaddr(globex["sam@buyer.example"]["From"])[0] == "Globex"
    assert f"/plans/{digest_plan.id}/" not in parts(globex["oscar@globex.example"])["text/plain"]
    assert "2 digests sent, 2 already sent today" in remind().output
    assert (
        "no workspace 'nope'" in CliRunner().invoke(main, ["remind", "--workspace", "nope"]).output
    )


def test_a_digest_claimed_by_one_send_is_not_sent_again_by_another(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    report = prepare(digest_plan.workspace, today_for(digest_plan.workspace))
    again = prepare(digest_plan.workspace, today_for(digest_plan.workspace))

    assert len(report.queued) == 2 and again.queued == [] and again.already == 2
    assert send(report.queued[0]) == "sent"
    assert send(report.queued[0]) == TAKEN
    assert len(smtp_server.messages) == 1


def test_a_mail_server_that_is_down_leaves_the_digest_to_the_queue_with_its_reason(
    digest_plan: Plan, smtp_down: int
) -> None:
    result = CliRunner().invoke(main, ["remind"])

    assert result.exit_code == 1
    assert f"could not reach the mail server at 127.0.0.1:{smtp_down}" in result.output
    assert "2 to be retried from the queue" in result.output
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"queued"}
    assert all("could not reach" in d.last_error for d in DigestDelivery.objects.all())


MONDAY_9_UTC = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "sent"),
    [
        (MONDAY_9_UTC, True),
        (dt.datetime(2026, 11, 30, 7, 59, tzinfo=dt.UTC), False),  # before the digest hour
        (dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC), False),  # a Saturday
        # 9:00 UTC is 1:00 in Los Angeles: not yet time there.
        (MONDAY_9_UTC, False),
    ],
    ids=["weekday-9am", "weekday-7:59", "saturday", "other-time-zone"],
)
def test_the_periodic_task_sends_on_weekdays_from_the_digest_hour_in_the_workspaces_zone(
    request: pytest.FixtureRequest,
    digest_plan: Plan,
    smtp_server: Inbox,
    queue_consumer: Any,
    moment: dt.datetime,
    sent: bool,
) -> None:
    if request.node.callspec.id == "other-time-zone":
        digest_plan.workspace.time_zone = "America/Los_Angeles"
        digest_plan.workspace.save()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        daily_digests.call_local()
        daily_digests.call_local()

        if sent:
            assert wait_for(lambda: len(smtp_server.messages) == 2)
            assert wait_for(
                lambda: set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
            )
        else:
            assert not DigestDelivery.objects.exists()
    assert len(smtp_server.messages) == (2 if sent else 0)
    # Health is brought up to the workspace's today on every run, due or not.
    stored = Plan.objects.get(id=digest_plan.id)
    assert stored.health_on is not None and "overdue" in stored.health_codes


def test_a_run_that_loses_the_race_for_a_digest_leaves_it_to_the_run_that_won(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    from mutualplan.digests import services

    workspace, today = digest_plan.workspace, today_for(digest_plan.workspace)
    real = services.recipients

    def another_server_inserts_first(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        DigestDelivery.objects.create(
            workspace=workspace, day=today, recipient="olivia@acme.example", kind="seller"
        )
        return found

    with mock.patch.object(services, "recipients", another_server_inserts_first):
        report = prepare(workspace, today)

    assert report.already == 1
    [mine] = report.queued
    assert DigestDelivery.objects.get(id=mine).recipient == "sam@buyer.example"
    assert DigestDelivery.objects.count() == 2


def test_after_the_periodic_run_the_dashboards_first_view_of_the_day_writes_nothing(
    owner: Any, digest_plan: Plan
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutualplan.digests.tasks import run_workspace

    run_workspace(digest_plan.workspace, digests=False)
    browser = Client()
    browser.force_login(owner)

    with CaptureQueriesContext(connection) as queries:
        page = browser.get("/")

    assert "Northwind Health" in page.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith('UPDATE "PLANS')]
    assert writes == []
    assert "overdue" in Plan.objects.get(id=digest_plan.id).health_codes


def test_text_from_the_plan_is_escaped_in_the_html_part(
    digest_plan: Plan, smtp_server: Inbox
) -> None:
    from mutualplan.plans.models import Milestone

    Milestone.objects.filter(title=SAMS_STEP).update(title="<b>Pen test</b> & report")

    remind()

    for message in smtp_server.messages:
        text = parts(message)
        assert "&lt;b&gt;Pen test&lt;/b&gt; &amp; report" in text["text/html"]
        assert "<b>Pen test" not in text["text/html"]
        assert "<b>Pen test</b> & report" in text["text/plain"]
