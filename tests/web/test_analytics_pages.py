"""The analytics pages: the step-duration and cycle tables of the workspace's history, with
their charts and CSV downloads, exactly the numbers a direct computation gives."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mutualplan.core.cycles import cycle_table
from mutualplan.core.durations import duration_table
from mutualplan.plans.analytics import cycle_cells, duration_cells, figure_text
from mutualplan.plans.learning import deal_outcomes, step_columns
from mutualplan.workspaces.models import Workspace
from tests.analytics.history import START, history_plan, slip

AS_OF = START + dt.timedelta(days=40)
QUERY = f"?as_of={AS_OF.isoformat()}"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user: Any, path: str) -> str:
    response = signed_in(user).get(path)
    assert response.status_code == 200, response.content[:500]
    return html.unescape(response.content.decode())


def small_history(owner: Any) -> None:
    """Three enterprise deals whose business case took 6, 10 and 20 days, one smb deal's
    that took 4; security review open on all but one, which took 24 days."""
    history_plan(owner, "enterprise", done={"business_case": 6, "security_review": 30})
    history_plan(owner, "enterprise", done={"business_case": 10})
    history_plan(owner, "enterprise", done={"business_case": 20})
    plan = history_plan(owner, "smb", done={"business_case": 4})
    slip(plan, "business_case", 3, "competing_priorities", START + dt.timedelta(days=2))


def with_account_types(workspace: Workspace, *names: str) -> None:
    """Account types are the workspace's own list, which a CRM import extends with any text."""
    workspace.account_types = [*workspace.account_types, *names]
    workspace.save(update_fields=["account_types"])


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM the exports write
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_durations_page_shows_the_numbers_a_direct_computation_gives(
    owner: Any, workspace: Workspace
) -> None:
    small_history(owner)
    text = page(owner, f"/analytics/durations/{QUERY}")
    # By hand: 4, 6, 10, 20 days, all finished: half are done by 6, 80% by 20.
    assert "median 6 days (4 deals)" in text
    assert "P80 20 days (4 deals)" in text
    # Security review: one of four finished (24 days), the rest open since day 6, 10, 20, 4.
    assert "median at least 36 days (4 deals)" in text
    assert "shrunk toward all deals" in text
    assert "Competing priorities (1)" in text
    table = duration_table(step_columns(workspace, AS_OF))
    for row in table:
        assert figure_text("median", row.median) in text
        assert figure_text("P80", row.p80) in text
    assert "Business case" in text and "Security review" in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in text


def test_the_account_type_filter_keeps_the_overall_rows_and_that_account_type(
    owner: Any, workspace: Workspace
) -> None:
    small_history(owner)
    text = page(owner, f"/analytics/durations/{QUERY}&account_type=smb")
    assert 'data-account-type="smb"' in text
    assert 'data-account-type="enterprise"' not in text
    assert "Turnaround per step type (smb)" in text
    workspace.account_types = [*workspace.account_types, "partner"]
    workspace.save(update_fields=["account_types"])
    unknown = page(owner, f"/analytics/durations/{QUERY}&account_type=partner")
    assert "No history for account type “partner” yet" in unknown
    # A type the workspace has never had is named as a mistake, with the ones it has.
    for path in ("/analytics/durations/", "/analytics/cycles/", "/analytics/durations.csv"):
        wrong = signed_in(owner).get(f"{path}{QUERY}&account_type=nobody")
        assert wrong.status_code == 400
        said = html.unescape(wrong.content.decode())
        assert "'nobody' is not an account type of this workspace" in said
        assert "(enterprise, mid_market, partner, smb)" in said


def test_a_bad_as_of_date_is_named_on_the_page_with_a_400(owner: Any, workspace: Workspace) -> None:
    client = signed_in(owner)
    for path in (
        "/analytics/",
        "/analytics/durations/",
        "/analytics/cycles/",
        "/analytics/durations.csv",
        "/analytics/cycles.csv",
    ):
        response = client.get(f"{path}?as_of=2026-02-31")
        assert response.status_code == 400
        body = html.unescape(response.content.decode())
        assert "'2026-02-31' is not a date; use YYYY-MM-DD" in body
    later = client.get("/analytics/durations/?as_of=2999-01-01")
    assert later.status_code == 400
    assert "is after today" in later.content.decode()


def test_the_survival_chart_draws_the_chosen_step_type_per_account_type(
    owner: Any, workspace: Workspace
) -> None:
    small_history(owner)
    text = page(owner, f"/analytics/durations/{QUERY}&step_type=security_review")
    assert "Security review: share of steps still open after each day" in text
    assert "All deals" in text and "enterprise" in text


def test_the_durations_csv_rows_equal_the_table(owner: Any, workspace: Workspace) -> None:
    small_history(owner)
    response = signed_in(owner).get(f"/analytics/durations.csv{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "step-durations-as-of-2026-02-14.csv" in response["Content-Disposition"]
    rows = csv_rows(response.content)
    table = duration_table(step_columns(workspace, AS_OF))
    expected = [["" if c is None else str(c) for c in duration_cells(r)] for r in table]
    assert rows[1:] == expected
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Step type"] == "Business case" and first["Account type"] == ""
    assert (first["Observations"], first["Median days"], first["P80 days"]) == ("4", "6", "20")


def test_the_cycles_page_and_csv_show_cycle_length_win_rate_and_days_late(
    owner: Any, workspace: Workspace
) -> None:
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=30))
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=50))
    history_plan(owner, "smb", status="lost", closed=START + dt.timedelta(days=20))
    history_plan(owner, "enterprise")
    as_of = "?as_of=2026-06-30"
    text = page(owner, f"/analytics/cycles/{as_of}")
    # Won after 30 and 50 days: mean and median 40; two won of three closed.
    assert "67%" in text and "40 days" in text and "2026-Q1" in text
    assert "All quarters" in text
    assert "Cycle length and win rate per quarter" in text
    rows = csv_rows(signed_in(owner).get(f"/analytics/cycles.csv{as_of}").content)
    table = cycle_table(deal_outcomes(workspace, dt.date(2026, 6, 30)))
    assert rows[1:] == [["" if c is None else str(c) for c in cycle_cells(r)] for r in table]
    assert rows[1][:7] == ["smb", "2026-Q1", "2", "1", "66.7", "40", "40"]


def test_the_overview_shows_the_headline_numbers(owner: Any, workspace: Workspace) -> None:
    small_history(owner)
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=30))
    history_plan(owner, "smb", status="lost", closed=START + dt.timedelta(days=20))
    text = page(owner, f"/analytics/{QUERY}")
    steps = len(step_columns(workspace, AS_OF).days)
    assert f'<span class="number">{steps}</span>' in text
    assert '<span class="number">2</span><span class="what">deals closed of 6 (1 won)' in text
    assert '<span class="number">50%</span>' in text
    assert '<span class="number">30 days</span>' in text
    assert 'href="/analytics/durations/"' in text and 'href="/analytics/cycles/"' in text


def test_an_empty_workspace_says_there_is_no_history_yet_and_how_to_get_some(
    owner: Any, workspace: Workspace
) -> None:
    for path in ("/analytics/", "/analytics/durations/", "/analytics/cycles/"):
        text = page(owner, path)
        assert "No history yet" in text
        assert "mutualplan demo --deals 300" in text
    rows = csv_rows(signed_in(owner).get("/analytics/durations.csv").content)
    assert rows == [rows[0]]


def test_account_types_that_look_like_formulas_stay_text_in_the_csv_and_escaped_on_the_page(
    owner: Any, workspace: Workspace
) -> None:
    with_account_types(workspace, "=cmd()", "<script>x</script>")
    history_plan(owner, "=cmd()", done={"business_case": 5})
    history_plan(owner, "<script>x</script>", status="won", closed=START + dt.timedelta(days=9))
    durations = csv_rows(signed_in(owner).get(f"/analytics/durations.csv{QUERY}").content)
    assert {r[1] for r in durations if r[1].endswith("cmd()")} == {"'=cmd()"}
    cycles = csv_rows(signed_in(owner).get("/analytics/cycles.csv?as_of=2026-03-01").content)
    assert cycles[1][0] == "<script>x</script>"
    raw = signed_in(owner).get(f"/analytics/durations/{QUERY}").content.decode()
    assert "<script>x</script>" not in raw and "&lt;script&gt;x&lt;/script&gt;" in raw


def test_another_workspaces_history_is_never_shown(
    owner: Any, outsider: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    small_history(owner)
    with_account_types(other_workspace, "globex_only")
    history_plan(outsider, "globex_only", done={"kickoff": 3, "business_case": 99})
    history_plan(outsider, "globex_only", status="won", closed=START + dt.timedelta(days=9))
    for path in ("/analytics/durations/", "/analytics/cycles/"):
        assert "globex_only" not in page(owner, f"{path}{QUERY}")
        assert "globex_only" in page(outsider, f"{path}{QUERY}")
    steps = len(step_columns(workspace, AS_OF).days)
    assert f'<span class="number">{steps}</span>' in page(owner, f"/analytics/{QUERY}")
    assert "deals closed of 4 (0 won)" in page(owner, f"/analytics/{QUERY}")
    content = signed_in(owner).get(f"/analytics/durations.csv{QUERY}").content.decode()
    assert "globex_only" not in content and "99" not in content


def test_the_pages_need_a_signed_in_seller(db: Any) -> None:
    for path in ("/analytics/", "/analytics/durations/", "/analytics/cycles.csv"):
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_main_nav_links_to_analytics(owner: Any) -> None:
    assert '<a href="/analytics/">Analytics</a>' in page(owner, "/")


def queries_for(user: Any, path: str) -> int:
    client = signed_in(user)
    client.get(path)  # the session and anything cached once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_each_page_makes_the_same_few_queries_whatever_the_history_size(
    owner: Any, workspace: Workspace
) -> None:
    paths = [
        f"/analytics/{QUERY}",
        f"/analytics/durations/{QUERY}",
        f"/analytics/cycles/{QUERY}",
        f"/analytics/durations.csv{QUERY}",
        f"/analytics/cycles.csv{QUERY}",
    ]
    for _ in range(2):
        history_plan(owner, "smb", done={"business_case": 4, "security_review": 9})
    small = [queries_for(owner, p) for p in paths]
    for i in range(8):
        kind = "enterprise" if i % 2 else "smb"
        history_plan(owner, kind, status="won", closed=START + dt.timedelta(days=20 + i))
    assert [queries_for(owner, p) for p in paths] == small
    assert max(small) <= 10
