"""Onboarding a seller: one service used by the CLI, the demo loader and the test fixtures."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from mutualplan.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from mutualplan.plans.errors import Invalid
from mutualplan.workspaces.models import Membership, Workspace
from mutualplan.workspaces.services import onboard_seller

Users = get_user_model().objects


def test_the_first_seller_of_a_new_workspace_owns_it_and_the_next_one_joins_as_a_member(
    db: Any,
) -> None:
    first = onboard_seller(
        "Sam@Acme.example", workspace="acme", workspace_name="Acme Software", name="Sam Seller"
    )
    second = onboard_seller("rita@acme.example", workspace="acme", name="Rita Rep")
    assert first.new_workspace and not second.new_workspace
    assert first.user.email == first.user.username == "sam@acme.example"
    assert (first.user.first_name, first.user.last_name) == ("Sam", "Seller")
    assert Workspace.objects.get(slug="acme").name == "Acme Software"
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles == {"sam@acme.example": "owner", "rita@acme.example": "member"}


def test_a_seller_onboarded_without_a_password_cannot_sign_in_until_they_choose_one(
    db: Any,
) -> None:
    user = onboard_seller("sam@acme.example", workspace="acme").user
    assert not user.has_usable_password()


def test_an_email_already_in_use_in_any_case_is_refused_and_nothing_is_created(
    owner: Any,
) -> None:
    with pytest.raises(Invalid) as refused:
        onboard_seller("OLIVIA@acme.example", workspace="brand-new")
    assert refused.value.errors == [
        {"field": "email", "message": "a user with email olivia@acme.example already exists"}
    ]
    assert not Workspace.objects.filter(slug="brand-new").exists()
    assert Users.filter(email__iexact="olivia@acme.example").count() == 1


def test_a_workspace_slug_with_no_letters_or_digits_is_refused_and_no_user_is_left_behind(
    db: Any,
) -> None:
    with pytest.raises(Invalid) as refused:
        onboard_seller("sam@acme.example", workspace="!!!")
    assert refused.value.errors[0]["field"] == "workspace"
    assert not Users.filter(email="sam@acme.example").exists()
    assert not Workspace.objects.exists()


def test_something_that_is_not_an_email_is_refused(db: Any) -> None:
    with pytest.raises(Invalid) as refused:
        onboard_seller("sam at acme", workspace="acme")
    assert refused.value.errors[0]["field"] == "email"
    assert not Users.exists()


def test_the_demo_onboards_its_seller_once_and_owns_its_workspace_on_every_start(
    db: Any,
) -> None:
    load_demo()
    load_demo()
    user = Users.get(email=DEMO_EMAIL)
    assert user.check_password(DEMO_PASSWORD)
    assert (user.first_name, user.last_name) == ("Dana", "Seller")
    membership = Membership.objects.get(user=user)
    assert (membership.workspace.slug, membership.role) == ("demo", "owner")
    assert user.api_tokens.count() == 2
