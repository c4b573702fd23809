"""The pure parts of webhooks: which activity is which event, the signature, and which
addresses and URLs an endpoint may have."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mutualplan.core.vocab import ActivityVerb
from mutualplan.core.webhooks import (
    WebhookEvent,
    address_problem,
    event_errors,
    event_for_verb,
    sign,
    url_problem,
    verify,
)


def test_each_activity_that_is_an_event_maps_to_its_event_name() -> None:
    assert event_for_verb(ActivityVerb.MILESTONE_ADDED) == "milestone.created"
    assert event_for_verb(ActivityVerb.MILESTONE_UPDATED) == "milestone.updated"
    assert event_for_verb(ActivityVerb.PLAN_RETARGETED) == "plan.retargeted"
    assert event_for_verb(ActivityVerb.VERSION_SENT) == "plan.sent"
    assert event_for_verb(ActivityVerb.PLAN_CONFIRMED) == "plan.confirmed"
    assert event_for_verb(ActivityVerb.COMMENT_ADDED) is None
    assert event_for_verb("no_such_verb") is None
    assert [e.value for e in WebhookEvent] == [
        "milestone.created",
        "milestone.updated",
        "plan.retargeted",
        "plan.slipped",
        "plan.sent",
        "plan.confirmed",
        "step.stale",
    ]


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"event":"plan.sent"}'
    expected = hmac.new(b"whsec_x", body, hashlib.sha256).hexdigest()

    assert sign("whsec_x", body) == f"sha256={expected}"
    assert verify("whsec_x", body, f"sha256={expected}")
    assert not verify("whsec_y", body, f"sha256={expected}")
    assert not verify("whsec_x", body + b" ", f"sha256={expected}")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.1.1", "not a public"),
        ("198.18.0.1", "private"),
    ],
)
def test_internal_addresses_are_refused_by_kind(address: str, kind: str) -> None:
    problem = address_problem(address)

    assert problem is not None and kind in problem, problem


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert address_problem(address) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hooks.example.com/x?y=1", None),
        ("http://hooks.example.com:8080/", None),
        ("gopher://hooks.example.com/", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http:///path", "has no host name"),
        ("http://a b.example.com/", "cannot contain spaces"),
        ("http://[::1/", "is not a valid URL"),
        ("http://u:p@hooks.example.com/", "must not contain a user name or password"),
        ("https://hooks.example.com/" + "a" * 500, "at most 500 characters"),
    ],
)
def test_urls_are_checked_before_any_lookup(url: str, problem: str | None) -> None:
    found = url_problem(url)

    assert (found is None) if problem is None else (found is not None and problem in found)


def test_event_lists_must_name_known_events_and_at_least_one() -> None:
    assert event_errors(["plan.sent"]) is None
    assert event_errors([]) == "choose at least one event"
    assert "unknown event 'plan.won'" in (event_errors(["plan.sent", "plan.won"]) or "")
