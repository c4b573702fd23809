"""The plan domain: deals, plans (MAPs), milestones and their history.

Rows that two people can edit at once (deal, plan, milestone) carry an integer `version`;
every write names the version it read and loses, with a 409, when someone else wrote first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from mutualplan.core.vocab import (
    ActorKind,
    MilestoneStatus,
    OwnerSide,
    PlanStatus,
    SlipReason,
    StakeholderRole,
    StepType,
    blank_checklist,
)
from mutualplan.workspaces.models import Workspace

USER = settings.AUTH_USER_MODEL


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ")) for m in enum]  # type: ignore[attr-defined]


class Deal(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deals")
    account_name = models.CharField(max_length=200)
    account_type = models.CharField(max_length=50)
    industry = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    stage = models.CharField(max_length=50)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    crm_ref = models.CharField(max_length=100, blank=True)
    # Set by a CRM import (plans/services/deal_imports.py): the CRM it came from ("salesforce",
    # "hubspot", "generic") and its id there, the key a later import of the same deal updates.
    # (A default in the database too: deals written from outside the app get "" as well.)
    crm_source = models.CharField(max_length=20, blank=True, default="", db_default="")
    crm_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    # The CRM's close date: expected while the deal is open, actual once won or lost. With
    # `created_at` (the CRM's created date for an imported deal) it gives the cycle length.
    close_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "crm_source", "crm_id"],
                condition=~models.Q(crm_id=""),
                name="one_deal_per_crm_id",
            )
        ]

    def __str__(self) -> str:
        return self.account_name


class Stakeholder(models.Model):
    """A person on the buyer's side: champion, IT, Legal, Finance, executive sponsor…"""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=_choices(StakeholderRole), default="other")
    is_champion = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plans")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="plan")
    status = models.CharField(max_length=10, choices=_choices(PlanStatus), default="draft")
    target_date = models.DateField(null=True, blank=True)
    baseline_target_date = models.DateField(null=True, blank=True)
    target_reason = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    business_days = models.BooleanField(default=False)
    template_key = models.CharField(max_length=60, blank=True)
    # The email the buyer sees for the seller's contact; blank: the buyer sees only the name.
    contact_email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # First confirmed by the champion or first sent: from then on a date move needs a reason.
    committed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_buyer_activity_at = models.DateTimeField(null=True, blank=True)
    # The plan's health codes (" overdue stale_plan ") as of `health_on` and its activity
    # `health_activity_id`, for the dashboard's counts and filter (plans/health.py).
    health_codes = models.CharField(max_length=400, blank=True, default="")
    health_on = models.DateField(null=True, blank=True)
    health_activity_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"Plan for {self.deal.account_name}"


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    step_type = models.CharField(max_length=40, choices=_choices(StepType), default="custom")
    owner_side = models.CharField(max_length=10, choices=_choices(OwnerSide))
    owner_team = models.CharField(max_length=100, blank=True)
    owner_person = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones"
    )
    due_date = models.DateField(null=True, blank=True)
    baseline_due_date = models.DateField(null=True, blank=True)
    # Days (calendar or business, as the plan counts) before the target; null = a fixed date.
    anchor_offset = models.IntegerField(null=True, blank=True)
    turnaround_days = models.PositiveIntegerField(null=True, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, related_name="dependents", blank=True
    )
    status = models.CharField(
        max_length=12, choices=_choices(MilestoneStatus), default="not_started"
    )
    notes = models.TextField(blank=True)
    private_notes = models.TextField(blank=True)
    high_risk = models.BooleanField(default=False)
    risk_checklist = models.JSONField(default=blank_checklist)
    added_by_side = models.CharField(max_length=10, choices=_choices(ActorKind), default="seller")
    added_by_name = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    status_updated_at = models.DateTimeField(null=True, blank=True)
    status_updated_by = models.CharField(max_length=200, blank=True)
    completed_at = models.DateField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When a change took the buyer's confirmation back (cleared when confirmed again): the
    # row shows "changed since you confirmed" and the champion is asked again.
    unconfirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "position"])]

    def __str__(self) -> str:
        return self.title


class Slip(models.Model):
    """A due-date or target-date move. `milestone` is null when the target itself moved."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="slips")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="slips"
    )
    milestone_title = models.CharField(max_length=300, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    days = models.IntegerField(default=0)
    reason_category = models.CharField(max_length=30, choices=_choices(SlipReason), blank=True)
    reason_text = models.TextField(blank=True)
    # Moved while the plan was still being built (before first confirmation or send).
    during_build = models.BooleanField(default=False)
    actor_kind = models.CharField(max_length=10, choices=_choices(ActorKind))
    actor_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class PlanVersion(models.Model):
    """A snapshot of the plan as it was sent to the buyer."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_number_per_version")
        ]


class Confirmation(models.Model):
    """The champion confirmed dates and owners: of the whole plan, or of one row."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="confirmations")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="confirmations"
    )
    buyer_name = models.CharField(max_length=200)
    buyer_email = models.EmailField()
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)


class Comment(models.Model):
    """A comment on one row, from either side: the buyer comments on any row."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="comments")
    actor_kind = models.CharField(max_length=10, choices=_choices(ActorKind))
    actor_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Call(models.Model):
    """A check-in call where the plan was reviewed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="calls")
    held_at = models.DateTimeField(default=timezone.now)
    attendees = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    next_call_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class ShareLink(models.Model):
    """An unguessable, revocable link to one plan's buyer view. Only its hash is stored."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    label = models.CharField(max_length=200, blank=True)
    # Set on a link emailed every day (the digest): its token is re-derived from the server's
    # secret and this salt (plans.services.sharing.standing_share_link), never stored.
    salt = models.CharField(max_length=32, blank=True, default="")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class CalendarFeed(models.Model):
    """A secret, revocable iCalendar subscription URL: one plan's dates as the buyer may see
    them (`plan`), or every open plan of one seller (`user`). Only the token's hash is kept."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False, user__isnull=True)
                | models.Q(plan__isnull=True, user__isnull=False),
                name="calendar_feed_of_a_plan_or_a_seller",
            )
        ]


class BuyerVisitor(models.Model):
    """A buyer who named themselves through a share link: who used it, and when."""

    share_link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="visitors")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # The day of their latest BuyerVisit: a page view on a day already counted writes nothing.
    last_visit_on = models.DateField(null=True, blank=True)
    writes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["share_link", "email"], name="one_visitor_per_email")
        ]


class BuyerVisit(models.Model):
    """A buyer opened the plan through a share link on this day (one row per buyer per day):
    how the seller sees who on the buyer side reads the plan, and how often."""

    share_link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(BuyerVisitor, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "day"], name="one_visit_per_buyer_per_day")
        ]


class Activity(models.Model):
    """Every change, with who made it and when: the audit trail and the live feed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=_choices(ActorKind))
    actor_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    verb = models.CharField(max_length=40)
    summary = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["plan", "id"])]


class PlanTemplate(models.Model):
    """A workspace's own template; `rows` holds TemplateRow fields as JSON."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="templates")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rows = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="one_key_per_template")
        ]


class EmailDelivery(models.Model):
    """One email of the plan to one buyer recipient ("Send to buyer"): queued, then sent or
    failed with its reason, so that no send is ever silently lost."""

    # Sending: one consumer has claimed the row and is talking to the mail server (so a
    # second copy of the task, or the sweep, never sends it twice).
    QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
    STATUSES = [(QUEUED, "queued"), (SENDING, "sending"), (SENT, "sent"), (FAILED, "failed")]
    # What the email is: the plan sent, a revised version (what changed first), an escalation
    # of a stale buyer step, or the champion asked to confirm changed rows again.
    PLAN, REVISION, ESCALATION, RECONFIRM = "plan", "revision", "escalation", "reconfirm"
    KINDS = [
        (PLAN, "plan sent"),
        (REVISION, "revised version"),
        (ESCALATION, "escalation"),
        (RECONFIRM, "asked to confirm again"),
    ]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="email_deliveries")
    version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_link = models.ForeignKey(
        ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The step an escalation is about (blank for the other kinds).
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=KINDS, default=PLAN)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the queue should next try it: a queued row long past this was lost by the queue
    # (plans.tasks.requeue_lost_emails sends it again).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["plan", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]


class ImportMapping(models.Model):
    """A workspace's saved column mapping for spreadsheets with one header layout (keyed by
    `formats.sheet.header_signature`; a CRM deal export's by `crm.preview.header_signature`,
    which starts "deals:"), applied to the next file like it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="import_mappings"
    )
    signature = models.CharField(max_length=500)
    mapping = models.JSONField()  # {header text: field or "ignore"}
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "signature"], name="one_import_mapping_per_layout"
            )
        ]
