"""The digests' reads: a workspace's open plans as `core.digests.DigestPlan`, and who gets a
digest of them today (each seller for the plans they own, each buyer stakeholder with an
email for the steps they own), with what it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q

from mutualplan.core.digests import (
    BuyerDigest,
    DigestPlan,
    DigestRow,
    SellerDigest,
    buyer_digest,
    buyer_plan_digest,
    seller_digest,
)
from mutualplan.core.vocab import PlanStatus, StakeholderRole
from mutualplan.digests.models import BUYER, SELLER
from mutualplan.plans.diagnostics import buyer_contacts, seller_name
from mutualplan.plans.models import Call, Confirmation, Plan, Stakeholder
from mutualplan.plans.queries import milestone_rows
from mutualplan.workspaces.clock import date_in
from mutualplan.workspaces.models import Membership, Workspace

OPEN_PLANS = (PlanStatus.ACTIVE.value, PlanStatus.DRAFT.value)


@dataclass(frozen=True)
class Recipient:
    """One digest due today: to whom, of which kind, and what it holds. `plans` maps plan ids
    to the plans it speaks of (for their links)."""

    kind: str
    address: str
    name: str
    user: Any
    digest: SellerDigest | BuyerDigest
    plans: dict[int, Plan]


def _digest_plan(plan: Plan, last_call: dt.datetime | None, confirmed: bool) -> DigestPlan:
    def local(moment: dt.datetime | None) -> dt.date | None:
        return date_in(plan.workspace, moment) if moment is not None else None

    rows = tuple(
        DigestRow(
            id=r["id"],
            title=r["title"],
            owner_side=r["owner_side"],
            status=r["status"],
            due_date=r["due_date"],
            owner_team=r["owner_team"],
            owner_person_id=r["owner_person_id"],
            owner_person=r["owner_person"]["name"] if r["owner_person"] else "",
            status_updated_on=local(r["status_updated_at"]),
            confirmed=r["confirmed_at"] is not None,
        )
        for r in milestone_rows(plan.id)
    )
    return DigestPlan(
        id=plan.id,
        account_name=plan.deal.account_name,
        status=plan.status,
        created_on=local(plan.created_at) or dt.date.min,
        rows=rows,
        target_date=plan.target_date,
        last_call_on=local(last_call),
        confirmed_once=confirmed,
        people=tuple(buyer_contacts(plan)),
        seller_name=seller_name(plan),
    )


def _open_plans(workspace: Workspace) -> Any:
    return (
        Plan.objects.filter(workspace=workspace, status__in=OPEN_PLANS)
        .select_related("workspace", "deal", "deal__owner", "created_by")
        .order_by("deal__account_name", "id")
    )


def recipients(
    workspace: Workspace, today: dt.date, kind: str | None = None, address: str | None = None
) -> list[Recipient]:
    """Everyone with a digest today (empty digests left out), sellers first; only the one
    recipient of that kind and address when given (the send re-reads its digest)."""
    plans = _open_plans(workspace)
    address = address.lower() if address else None
    if address is not None and kind == SELLER:
        plans = plans.filter(
            Q(deal__owner__email__iexact=address)
            | Q(deal__owner__isnull=True, created_by__email__iexact=address)
        )
    elif address is not None and kind == BUYER:
        plans = plans.filter(deal__stakeholders__email__iexact=address).distinct()
    found = list(plans)
    ids = [p.id for p in found]
    last_calls = dict(
        Call.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id")
        .annotate(last=Max("held_at"))
        .values_list("plan_id", "last")
    )
    confirmed = set(Confirmation.objects.filter(plan_id__in=ids).values_list("plan_id", flat=True))
    facts = {p.id: _digest_plan(p, last_calls.get(p.id), p.id in confirmed) for p in found}
    answer: list[Recipient] = []
    if kind in (None, SELLER):
        answer += _seller_recipients(workspace, found, facts, today, address)
    if kind in (None, BUYER):
        answer += _buyer_recipients(found, facts, today, address)
    return answer


def _seller_recipients(
    workspace: Workspace,
    plans: list[Plan],
    facts: dict[int, DigestPlan],
    today: dt.date,
    address: str | None,
) -> list[Recipient]:
    members = set(
        Membership.objects.filter(workspace=workspace, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    by_owner: dict[int, tuple[Any, list[Plan]]] = {}
    for plan in plans:
        owner = plan.deal.owner or plan.created_by
        if owner is None or owner.id not in members or not owner.email:
            continue
        by_owner.setdefault(owner.id, (owner, []))[1].append(plan)
    answer = []
    for owner, owned in by_owner.values():
        if address is not None and owner.email.lower() != address:
            continue
        digest = seller_digest(
            [facts[p.id] for p in owned],
            stale_days=workspace.stale_days,
            review_interval_days=workspace.review_interval_days,
            today=today,
        )
        if not digest.is_empty:
            answer.append(
                Recipient(
                    SELLER,
                    owner.email.lower(),
                    owner.get_full_name() or owner.email,
                    owner,
                    digest,
                    {p.id: p for p in owned},
                )
            )
    return answer


def _buyer_recipients(
    plans: list[Plan], facts: dict[int, DigestPlan], today: dt.date, address: str | None
) -> list[Recipient]:
    by_deal = {p.deal_id: p for p in plans}
    by_id = {p.id: p for p in plans}
    people: dict[str, list[Stakeholder]] = {}
    for person in Stakeholder.objects.filter(deal_id__in=list(by_deal)).exclude(email=""):
        people.setdefault(person.email.lower(), []).append(person)
    answer = []
    for email, persons in sorted(people.items()):
        if address is not None and email != address:
            continue
        on_plan: dict[int, list[Stakeholder]] = {}
        for person in persons:
            on_plan.setdefault(by_deal[person.deal_id].id, []).append(person)
        parts = [
            buyer_plan_digest(
                facts[plan_id],
                frozenset(p.id for p in who),
                any(p.is_champion or p.role == StakeholderRole.CHAMPION for p in who),
                today,
            )
            for plan_id, who in on_plan.items()
        ]
        digest = buyer_digest(parts)
        if not digest.is_empty:
            shown = {p.plan_id: by_id[p.plan_id] for p in digest.plans}
            answer.append(Recipient(BUYER, email, persons[0].name, None, digest, shown))
    return answer
