"""Outbound webhooks, the pure parts: the event names, which activity is which event, the
signature of a body, and which addresses an endpoint may point at (server-side request
forgery: no private, loopback or otherwise internal address unless the workspace allows it)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from enum import StrEnum
from urllib.parse import urlsplit

from mutualplan.core.vocab import ActivityVerb


class WebhookEvent(StrEnum):
    """What an endpoint can subscribe to; the values are sent in `X-Mutualplan-Event`."""

    MILESTONE_CREATED = "milestone.created"
    MILESTONE_UPDATED = "milestone.updated"
    PLAN_RETARGETED = "plan.retargeted"
    PLAN_SLIPPED = "plan.slipped"
    PLAN_SENT = "plan.sent"
    PLAN_CONFIRMED = "plan.confirmed"
    STEP_STALE = "step.stale"


# The one place an activity becomes an event. Slips (`record_slip`) are `plan.slipped`, and
# `step.stale` comes from the periodic check, not from an activity.
EVENT_OF_VERB: dict[ActivityVerb, WebhookEvent] = {
    ActivityVerb.MILESTONE_ADDED: WebhookEvent.MILESTONE_CREATED,
    ActivityVerb.MILESTONE_UPDATED: WebhookEvent.MILESTONE_UPDATED,
    ActivityVerb.PLAN_RETARGETED: WebhookEvent.PLAN_RETARGETED,
    ActivityVerb.VERSION_SENT: WebhookEvent.PLAN_SENT,
    ActivityVerb.PLAN_CONFIRMED: WebhookEvent.PLAN_CONFIRMED,
}

EVENT_HELP: dict[WebhookEvent, str] = {
    WebhookEvent.MILESTONE_CREATED: "a row was added (by the seller or the buyer)",
    WebhookEvent.MILESTONE_UPDATED: "a row was edited",
    WebhookEvent.PLAN_RETARGETED: "the target date was set or moved",
    WebhookEvent.PLAN_SLIPPED: "a due date or the target date moved (a slip)",
    WebhookEvent.PLAN_SENT: "a clean version was sent to the buyer",
    WebhookEvent.PLAN_CONFIRMED: "the champion confirmed dates and owners",
    WebhookEvent.STEP_STALE: "an open buyer step had no status update for the stale days",
}

SIGNATURE_PREFIX = "sha256="


def event_for_verb(verb: str) -> WebhookEvent | None:
    """The webhook event an activity verb is, if any."""
    try:
        return EVENT_OF_VERB.get(ActivityVerb(verb))
    except ValueError:
        return None


def sign(secret: str, body: bytes) -> str:
    """The `X-Mutualplan-Signature` value: `sha256=` and the hex HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is the body's signature with `secret` (what a receiver checks)."""
    return hmac.compare_digest(sign(secret, body), signature)


def event_errors(events: Iterable[str]) -> str | None:
    """Why a list of event names is refused, or None when every name is known."""
    names = list(events)
    if not names:
        return "choose at least one event"
    unknown = [e for e in names if e not in set(WebhookEvent)]
    if unknown:
        allowed = ", ".join(e.value for e in WebhookEvent)
        return f"unknown event {unknown[0]!r}; use one of {allowed}"
    return None


URL_MAX = 500


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint before any lookup (scheme, host, port), or None."""
    if not url:
        return "enter the endpoint's URL, e.g. https://hooks.example.com/mutualplan"
    if len(url) > URL_MAX:
        return f"a URL has at most {URL_MAX} characters"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "a URL cannot contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL (check the host and port)"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host name"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password"
    if port == 0:
        return "has no valid port"
    return None


def address_problem(address: str) -> str | None:
    """Why a resolved IP address is refused as a webhook target (private, loopback,
    link-local, multicast, reserved, unspecified or otherwise not public, an IPv4-mapped IPv6
    address judged as its IPv4), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip.teredo is not None:
            ip = ip.teredo[1]
    for kind, flag in (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("a private", ip.is_private),
    ):
        if flag:
            return f"{address} is {kind} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None
