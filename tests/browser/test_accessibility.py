"""Every page passes axe-core's WCAG 2.1 A and AA rules, at desktop and at phone width.

axe-core comes from node_modules (`npm ci --ignore-scripts` in the repository
root); without it these tests skip, and fail under CI=true.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.audited_pages import PAGE_NAMES, Visit, build_visit, tool
from tests.browser.conftest import Contexts, Server
from tests.browser.test_live_editing import wait_live

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

AXE = "axe-core/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NODES_SHOWN = 3
# Pages whose rows fold their details (comments, risk checklist) away; axe skips hidden parts.
PLAN_PAGES = ("seller-plan", "buyer-plan")


@pytest.fixture(scope="module")
def visit(browser: Browser, server: Server) -> Iterator[Visit]:
    tool(AXE)
    yield build_visit(browser, server)


def open_every_rows_details(page: Page) -> None:
    wait_live(page)  # the page script is running: the toggles work
    toggles = page.locator("tbody.row button[aria-controls][aria-expanded]")
    for toggle in toggles.all():
        toggle.click()
    expanded = toggles.evaluate_all("buttons => buttons.map(b => b.ariaExpanded)")
    assert set(expanded) == {"true"}, f"not every row's details opened: {expanded}"


def describe(violations: list[dict[str, Any]]) -> str:
    """One paragraph per violation: rule id, impact, help and the first nodes' selectors."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{len(nodes)} node(s)] {violation['helpUrl']}"
        )
        for node in nodes[:NODES_SHOWN]:
            target = " ".join(map(str, node["target"]))
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_the_page_has_no_wcag_2_1_aa_violations_axe_can_find(
    context: Contexts, visit: Visit, name: str, phone: bool
) -> None:
    page, _ = visit.open(context, name, phone=phone)
    if name in PLAN_PAGES:
        open_every_rows_details(page)
    page.add_script_tag(path=tool(AXE))

    violations = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
            .then(results => results.violations)""",
        WCAG_21_AA,
    )

    assert not violations, f"axe finds on {page.url}:\n{describe(violations)}"
