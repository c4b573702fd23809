"""Signing in, resetting a password by email, switching workspaces."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client

from mutualplan.workspaces.models import Membership, Workspace
from tests.conftest import seller_plan


def test_a_seller_signs_in_with_email_and_password(owner: Any) -> None:
    client = Client()
    wrong = client.post("/login/", {"username": owner.email, "password": "nope"})
    assert "do not match" in wrong.content.decode()
    right = client.post("/login/", {"username": owner.email, "password": "correct-horse-battery"})
    assert right.status_code == 302 and right["Location"] == "/"


def test_a_forgotten_password_is_reset_through_an_emailed_link(owner: Any) -> None:
    client = Client()
    client.post("/password-reset/", {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(re.escape(settings.BASE_URL) + r"(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    action = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    client.post(
        action, {"new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"}
    )
    signed_in = Client().post(
        "/login/", {"username": owner.email, "password": "a-brand-new-secret"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_a_seller_in_two_workspaces_switches_between_them(
    owner: Any, other_workspace: Workspace, outsider: Any
) -> None:
    seller_plan(owner, deal={"account_name": "Acme deal", "account_type": "smb", "stage": "demo"})
    seller_plan(
        outsider, deal={"account_name": "Globex deal", "account_type": "smb", "stage": "demo"}
    )
    Membership.objects.create(user=owner, workspace=other_workspace)
    client = Client()
    client.force_login(owner)
    first = client.get("/").content.decode()
    assert "Acme deal" in first and "Globex deal" not in first
    client.post("/workspace/", {"workspace": other_workspace.id})
    second = client.get("/").content.decode()
    assert "Globex deal" in second and "Acme deal" not in second


def test_switching_to_a_workspace_one_is_not_in_changes_nothing(
    owner: Any, other_workspace: Workspace
) -> None:
    seller_plan(owner)
    client = Client()
    client.force_login(owner)
    client.post("/workspace/", {"workspace": other_workspace.id})
    assert "Northwind" in client.get("/").content.decode()
