"""The people on the buyer's side (stakeholders): add, edit, remove, and the rows they own.

A stakeholder belongs to the plan's deal. Who owns which row is the row's `owner_person`,
changed here through the row service, so each change bumps the row's version, takes back
its confirmation and tells both sides, as any owner change does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from mutualplan.core.vocab import ActivityVerb, StakeholderRole
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid, NotFound
from mutualplan.plans.models import Milestone, Plan, Stakeholder
from mutualplan.plans.services import milestones as milestone_service
from mutualplan.plans.services.history import record

FIELDS = ("name", "email", "title", "team", "role")
MAX_ID = 2**63 - 1


def get_stakeholder(plan: Plan, stakeholder_id: int) -> Stakeholder:
    """A person of the plan's deal, or NotFound (another deal's person is simply not found)."""
    found = (
        Stakeholder.objects.filter(id=stakeholder_id, deal_id=plan.deal_id).first()
        if 0 < stakeholder_id <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound(f"stakeholder {stakeholder_id} not found in this plan")
    return found


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Only known fields, each checked: a name, a blank or valid email, a known role."""
    clean = {k: v for k, v in fields.items() if k in FIELDS and v is not None}
    for key in ("name", "email", "title", "team"):
        if key in clean:
            clean[key] = str(clean[key]).strip()
    if "name" in clean and not clean["name"]:
        raise Invalid.field("name", "a stakeholder needs a name")
    if clean.get("email"):
        try:
            validate_email(clean["email"])
        except ValidationError:
            raise Invalid.field("email", "is not an email address") from None
    if "role" in clean:
        try:
            clean["role"] = StakeholderRole(clean["role"]).value
        except ValueError:
            allowed = ", ".join(r.value for r in StakeholderRole)
            raise Invalid.field(
                "role", f"unknown role {clean['role']!r}; use one of {allowed}"
            ) from None
        clean["is_champion"] = clean["role"] == StakeholderRole.CHAMPION
    return clean


def _set_owned_rows(
    plan: Plan, person: Stakeholder, actor: Actor, owns: Iterable[int] | None
) -> list[str]:
    """Make `person` the owner of exactly the rows `owns` (None: leave ownership as it is).
    Answers the titles of the rows whose owner changed."""
    if owns is None:
        return []
    wanted = set(owns)
    rows = list(
        Milestone.objects.filter(plan=plan)
        .filter(Q(id__in=wanted) | Q(owner_person=person))
        .values_list("id", "version", "owner_person_id", "title")
    )
    found = {row[0] for row in rows}
    missing = sorted(wanted - found)
    if missing:
        raise Invalid.field("owns", f"milestone {missing[0]} is not in this plan")
    changed = []
    for row_id, version, owner_id, title in sorted(rows):
        new_owner = person.id if row_id in wanted else None
        if owner_id != new_owner:
            milestone_service.update_milestone(
                plan, row_id, actor, version, {"owner_person_id": new_owner}
            )
            changed.append(title)
    return changed


def _owned(changed: list[str]) -> str:
    return f"; owner of {', '.join(repr(t) for t in changed)} changed" if changed else ""


@transaction.atomic
def add_stakeholder(
    plan: Plan, actor: Actor, fields: dict[str, Any], owns: Iterable[int] | None = None
) -> Stakeholder:
    """Add a person on the buyer's side to the plan's deal (and make them own `owns`)."""
    clean = _clean(fields)
    if "name" not in clean:
        raise Invalid.field("name", "a stakeholder needs a name")
    Plan.objects.select_for_update().filter(id=plan.id).first()
    person = Stakeholder.objects.create(deal_id=plan.deal_id, **clean)
    changed = _set_owned_rows(plan, person, actor, owns)
    record(
        plan,
        actor,
        ActivityVerb.STAKEHOLDER_ADDED,
        f"added {person.name} ({person.get_role_display()}) to the people on the buyer side"
        + _owned(changed),
        data={"stakeholder_id": person.id, "role": person.role},
    )
    return person


@transaction.atomic
def update_stakeholder(
    plan: Plan,
    stakeholder_id: int,
    actor: Actor,
    fields: dict[str, Any],
    owns: Iterable[int] | None = None,
) -> Stakeholder:
    """Edit a person (last write wins: a person's details are not edited by two at once)."""
    Plan.objects.select_for_update().filter(id=plan.id).first()
    person = get_stakeholder(plan, stakeholder_id)
    clean = _clean(fields)
    changes = [k for k, v in clean.items() if getattr(person, k) != v and k != "is_champion"]
    for key, value in clean.items():
        setattr(person, key, value)
    if changes:
        person.save(update_fields=list(clean))
    changed = _set_owned_rows(plan, person, actor, owns)
    if changes or changed:
        record(
            plan,
            actor,
            ActivityVerb.STAKEHOLDER_UPDATED,
            f"updated {person.name}"
            + (f": {', '.join(changes)}" if changes else "")
            + _owned(changed),
            data={"stakeholder_id": person.id, "fields": changes},
        )
    return person


@transaction.atomic
def remove_stakeholder(plan: Plan, stakeholder_id: int, actor: Actor) -> None:
    """Remove a person; the rows they owned keep their team and lose the owner person."""
    Plan.objects.select_for_update().filter(id=plan.id).first()
    person = get_stakeholder(plan, stakeholder_id)
    changed = _set_owned_rows(plan, person, actor, [])
    name = person.name
    person.delete()
    record(
        plan,
        actor,
        ActivityVerb.STAKEHOLDER_REMOVED,
        f"removed {name} from the people on the buyer side" + _owned(changed),
        data={"stakeholder_id": stakeholder_id},
    )
