"""Two writers, one row: exactly one wins, the other is told, nothing is lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from mutualplan.plans.models import Activity, Milestone
from tests.conftest import BUYER, Api


@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_version_one_wins_and_the_other_gets_409(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    row = plan["milestones"][1]  # a buyer row, so the buyer can race the sellers too
    path = f"/plans/{plan['id']}/milestones/{row['id']}"
    writers = [
        lambda: owner_api.patch(path, {"version": 1, "notes": "from Olivia"}),
        lambda: teammate_api.patch(path, {"version": 1, "notes": "from Theo"}),
        lambda: Api(Client()).patch(
            f"/shared/{share_token}/milestones/{row['id']}",
            {"actor": BUYER, "version": 1, "notes": "from Priya"},
        ),
    ]
    for _ in range(5):
        barrier = threading.Barrier(len(writers))
        results: list[Any] = [None] * len(writers)

        def run(i: int, barrier: threading.Barrier, results: list[Any]) -> None:
            barrier.wait()
            try:
                results[i] = writers[i]()
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=(i, barrier, results)) for i in range(len(writers))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409, 409], [r.content for r in results]
        winner = next(r for r in results if r.status_code == 200).json_body
        stored = Milestone.objects.get(id=row["id"])
        assert stored.notes == winner["notes"] and stored.version == 2
        for loser in (r for r in results if r.status_code == 409):
            assert loser.json_body["current"]["notes"] == winner["notes"]
            assert loser.json_body["current"]["version"] == 2
        assert Activity.objects.filter(milestone_id=row["id"]).count() == 1
        # Reset for the next round.
        Milestone.objects.filter(id=row["id"]).update(version=1, notes="")
        Activity.objects.filter(milestone_id=row["id"]).delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_rows_are_all_kept(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    rows = plan["milestones"]
    barrier = threading.Barrier(len(rows))
    results: list[Any] = [None] * len(rows)

    def run(i: int) -> None:
        api = owner_api if i % 2 else teammate_api
        barrier.wait()
        try:
            results[i] = api.patch(
                f"/plans/{plan['id']}/milestones/{rows[i]['id']}",
                {"version": 1, "notes": f"note {i}"},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(rows))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [r.status_code for r in results] == [200] * len(rows)
    notes = dict(Milestone.objects.filter(plan_id=plan["id"]).values_list("id", "notes"))
    assert notes == {m["id"]: f"note {i}" for i, m in enumerate(rows)}


def test_a_stale_version_gets_409_with_the_current_row_and_nothing_written(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    row = plan["milestones"][0]
    path = f"/plans/{plan['id']}/milestones/{row['id']}"
    assert owner_api.patch(path, {"version": 1, "title": "Agree the ROI model"}).status_code == 200
    late = teammate_api.patch(path, {"version": 1, "title": "Business case v2"})
    assert late.status_code == 409
    assert late.json_body["current"]["title"] == "Agree the ROI model"
    assert late.json_body["current"]["version"] == 2
    assert "private_notes" in late.json_body["current"]
    assert Milestone.objects.get(id=row["id"]).title == "Agree the ROI model"


@pytest.mark.django_db(transaction=True)
def test_two_retargets_from_the_same_version_move_the_date_once(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    from mutualplan.plans.models import Plan, Slip
    from tests.conftest import day

    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]
    apis, targets = [owner_api, teammate_api], [day(100), day(120)]

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = apis[i].post(
                f"/plans/{plan['id']}/retarget",
                {"target_date": targets[i], "version": plan["version"]},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.status_code for r in results) == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json_body
    stored = Plan.objects.get(id=plan["id"])
    assert stored.target_date.isoformat() == winner["target_date"] and stored.version == 2
    assert Slip.objects.filter(plan_id=plan["id"], milestone__isnull=True).count() == 1
