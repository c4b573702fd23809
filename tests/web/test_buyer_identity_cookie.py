"""The buyer's identity cookie (kept for a year) is checked whenever it is read: one the
identify form would not accept today counts as no identity, so the buyer is asked again
instead of every write failing."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client

from mutualplan.plans.models import Comment, Milestone
from mutualplan.web.context import BUYER_COOKIE, BUYER_SALT
from tests.conftest import BUYER


def old_cookie(name: str, email: str) -> Client:
    """A buyer whose browser kept an identity cookie signed by an earlier version."""
    client = Client()
    value = json.dumps({"name": name, "email": email})
    client.cookies[BUYER_COOKIE] = signing.get_cookie_signer(salt=BUYER_COOKIE + BUYER_SALT).sign(
        value
    )
    return client


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Pri\x00ya", "priya@buyer.example"),
        ("Priya", "priya\x00@buyer.example"),
        ("Pri\ud800ya", "priya@buyer.example"),
        ("Priya\x1b[31m", "priya@buyer.example"),
        ("Priya\nChampion", "priya@buyer.example"),
        ("", "priya@buyer.example"),
        ("   ", "priya@buyer.example"),
        ("P" * 201, "priya@buyer.example"),
        ("Priya", "not an email"),
        ("Priya", ""),
        ("Priya", "p" * 250 + "@buyer.example"),
    ],
    ids=[
        "nul-name",
        "nul-email",
        "surrogate",
        "escape",
        "newline",
        "empty",
        "blank",
        "long",
        "bad-email",
        "no-email",
        "long-email",
    ],
)
def test_a_buyer_with_an_unusable_identity_cookie_is_asked_again_instead_of_a_500(
    plan: dict[str, object], share_token: str, name: str, email: str
) -> None:
    client = old_cookie(name, email)
    page = client.get(f"/s/{share_token}/")
    assert page.status_code == 200
    assert "Your name" in page.content.decode()
    row = Milestone.objects.filter(plan_id=plan["id"]).first()
    assert row is not None
    comment = client.post(
        f"/s/{share_token}/rows/{row.id}/comment/",
        {"body": "Legal is on it"},
        headers={"Accept": "application/json"},
    )
    assert comment.status_code == 403
    assert "tell us your name and email" in json.loads(comment.content)["detail"]
    assert not Comment.objects.exists()
    again = client.post(f"/s/{share_token}/", BUYER)
    assert again.status_code == 302
    retried = client.post(f"/s/{share_token}/rows/{row.id}/comment/", {"body": "Legal is on it"})
    assert retried.status_code == 302
    assert Comment.objects.get().actor_name == BUYER["name"]


def test_a_buyer_with_a_good_identity_cookie_is_not_asked_again(share_token: str) -> None:
    page = old_cookie("Priya Champion", "priya@buyer.example").get(f"/s/{share_token}/")
    assert "Viewing as <strong>Priya Champion</strong>" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [
        ("Priya\x1b", "priya@buyer.example", "control characters"),
        ("P" * 201, "priya@buyer.example", "under 200"),
        ("Priya", "p" * 250 + "@buyer.example", "valid email"),
    ],
)
def test_the_identify_form_refuses_what_the_cookie_would_not_accept(
    share_token: str, name: str, email: str, field: str
) -> None:
    client = Client()
    response = client.post(f"/s/{share_token}/", {"name": name, "email": email})
    assert response.status_code == 400 and field in response.content.decode()
    assert BUYER_COOKIE not in response.cookies
