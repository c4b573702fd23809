"""What a row of the plan table says about itself."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import Api


def test_who_set_the_status_shows_after_a_status_change_but_not_a_notes_edit(
    owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    seller = Client()
    seller.force_login(owner)
    row = plan["milestones"][0]
    path = f"/plans/{plan['id']}/milestones/{row['id']}"
    fragment = f"/plans/{plan['id']}/rows/{row['id']}/"
    assert 'class="sub by"' not in seller.get(fragment).content.decode()
    owner_api.patch(path, {"version": 1, "notes": "ROI draft shared"})
    assert 'class="sub by"' not in seller.get(fragment).content.decode()
    owner_api.patch(path, {"version": 2, "status": "in_progress"})
    assert '<span class="sub by">by Olivia Owner</span>' in seller.get(fragment).content.decode()


def test_a_buyer_row_is_editable_in_place_and_a_seller_row_is_plain_text(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    buyer = Client()
    buyer.post(f"/s/{share_token}/", {"name": "Priya", "email": "priya@buyer.example"})
    rows = {r["owner_side"]: r for r in plan["milestones"]}
    mine = buyer.get(f"/s/{share_token}/rows/{rows['buyer']['id']}/").content.decode()
    assert 'name="status"' in mine and 'name="notes"' in mine and 'aria-label="Notes"' in mine
    theirs = buyer.get(f"/s/{share_token}/rows/{rows['seller']['id']}/").content.decode()
    main_row = theirs.split('<tr class="details"')[0]
    assert "disabled" not in main_row and "<select" not in main_row
    assert 'name="title"' not in main_row and 'class="ro title"' in main_row
