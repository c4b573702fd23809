""" "Send to buyer": how long the seller waits, and how long the queue takes to deliver.

Builds a throw-away workspace (SQLite in a temporary data directory) and starts a real SMTP
server on loopback (aiosmtpd) and a queue consumer in this process (Huey, --workers threads).
For each plan size (rows) it:
- renders the buyer documents (PDF with WeasyPrint, XLSX with openpyxl) --renders times;
- calls the "Send to buyer" service for --recipients people (what the request does: version,
  share links, rows, enqueue) and times it: the seller's wait;
- times until every email (with both documents attached) has reached the SMTP server.
Target: the send answers in under 200 ms whatever the mail server does, and each email with
its documents is made and delivered in under 2 s.

Run: .venv/bin/python bench/email_send.py [--rows 8 30 100] [--recipients 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

SEND_TARGET_MS = 200.0
PER_EMAIL_TARGET_S = 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(smtp_port: int) -> None:
    os.environ["MUTUALPLAN_DATA_DIR"] = tempfile.mkdtemp(prefix="mutualplan-bench-")
    os.environ["MUTUALPLAN_EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}?timeout=10"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutualplan.settings"
    import django

    django.setup()
    import logging

    for name in ("huey", "mail.log", "mutualplan"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_plan(rows: int, index: int) -> Any:
    from mutualplan.plans.actors import Actor
    from mutualplan.plans.services import plans as plan_service
    from mutualplan.plans.services.milestones import add_milestone
    from mutualplan.workspaces.services import onboard_seller

    onboarded = onboard_seller(
        f"bench{index}@example.com", workspace=f"bench{index}", workspace_name="Bench", password="x"
    )
    actor = Actor.seller(onboarded.user)
    plan = plan_service.create_plan(
        onboarded.workspace,
        actor,
        deal=plan_service.DealInput(
            account_name=f"Northwind {rows}",
            account_type="enterprise",
            stage="evaluation",
            amount=Decimal(120000),
        ),
        target_date=dt.date.today() + dt.timedelta(days=120),
        target_reason="Live before open enrolment",
    )
    for i in range(max(0, rows - plan.milestones.count())):
        add_milestone(
            plan,
            actor,
            {
                "title": f"Buyer step {i}: review and sign off the section",
                "owner_side": "buyer",
                "owner_team": "IT",
                "due_date": dt.date.today() + dt.timedelta(days=10 + i % 100),
                "notes": "Shared note that the champion wrote on the call. " * 2,
            },
        )
    return plan, actor


def render_times(plan: Any, repeats: int) -> tuple[float, float]:
    from mutualplan.documents.pdf import plan_pdf
    from mutualplan.documents.xlsx import plan_xlsx
    from mutualplan.plans.buyer_view import buyer_plan

    pdf, xlsx = [], []
    for _ in range(repeats):
        view = buyer_plan(plan)
        started = time.perf_counter()
        plan_pdf(view, dt.date.today())
        pdf.append(time.perf_counter() - started)
        started = time.perf_counter()
        plan_xlsx(view, dt.date.today())
        xlsx.append(time.perf_counter() - started)
    return statistics.median(pdf), statistics.median(xlsx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[8, 30, 100])
    parser.add_argument("--recipients", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--renders", type=int, default=3)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Count.received += 1
            return "250 OK"

    port = free_port()
    smtp = Controller(Count(), hostname="127.0.0.1", port=port)
    smtp.start()
    setup(port)
    from mutualplan.plans.models import EmailDelivery
    from mutualplan.plans.services.sending import send_to_buyer
    from mutualplan.queue import start_in_process

    consumer = start_in_process(workers=args.workers)
    results = []
    ok = True
    try:
        for index, rows in enumerate(args.rows):
            plan, actor = make_plan(rows, index)
            pdf_s, xlsx_s = render_times(plan, args.renders)
            before = Count.received
            addresses = [f"buyer{i}@buyer.example" for i in range(args.recipients)]
            started = time.perf_counter()
            sent = send_to_buyer(plan, actor, addresses, "Our plan, as agreed.")
            send_ms = (time.perf_counter() - started) * 1000
            ids = [d.id for d in sent.deliveries]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                done = EmailDelivery.objects.filter(id__in=ids, status="sent").count()
                if done == len(ids):
                    break
                time.sleep(0.02)
            all_sent_s = time.perf_counter() - started
            arrived = Count.received - before
            per_email = all_sent_s / max(1, len(ids)) * args.workers
            row_ok = (
                send_ms < SEND_TARGET_MS and arrived == len(ids) and per_email < PER_EMAIL_TARGET_S
            )
            ok = ok and row_ok
            results.append((rows, pdf_s, xlsx_s, send_ms, all_sent_s, arrived, per_email, row_ok))
    finally:
        consumer.stop(graceful=True)
        smtp.stop()

    print(
        f"{'rows':>5} {'PDF s':>7} {'XLSX s':>7} {'send ms':>8} "
        f"{'all sent s':>11} {'arrived':>8} {'s/email':>8}  target"
    )
    for rows, pdf_s, xlsx_s, send_ms, all_s, arrived, per_email, row_ok in results:
        print(
            f"{rows:>5} {pdf_s:>7.2f} {xlsx_s:>7.3f} {send_ms:>8.1f} {all_s:>11.2f} "
            f"{arrived:>3}/{args.recipients:<4} {per_email:>8.2f}  {'ok' if row_ok else 'MISS'}"
        )
    print(
        f"(s/email: all-sent time per email times the {args.workers} consumer threads, "
        "i.e. what one email costs a thread)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
