"""The deal import preview in the browser: upload an export with headers nobody guesses, re-map
its columns with the selects, see what would be created, then import and remember the columns
so the next file with those headers reads at once. The preview itself passes axe and the Nu
HTML checker (the audited pages only visit the empty upload form)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.audited_pages import NODE_MODULES, tool
from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_accessibility import AXE, WCAG_21_AA
from tests.browser.test_accessibility import describe as describe_axe
from tests.browser.test_html_valid import VNU, validate
from tests.browser.test_html_valid import describe as describe_html
from tests.browser.test_live_editing import new_seller, sign_in

pytestmark = pytest.mark.browser
EXPORT = "Ref,Customer,Phase,Value\nX-1,Initech,Qualification,1000\nX-2,Hooli,Proposal,2500\n"


def test_the_seller_re_maps_the_columns_previews_imports_and_the_mapping_is_remembered(
    context: Contexts, server: Server, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    export = tmp_path / "deals.csv"
    export.write_text(EXPORT)
    page = context().new_page()
    sign_in(page, new_seller(server, "deal-imports"))
    page.goto(f"{server.url}/deals/import/")
    page.set_input_files("#d-file", str(export))
    page.click("button:has-text('Preview')")

    # Nothing is recognised: every column is ignored and there is nothing to import.
    expect(page.locator("[data-import-errors]")).to_contain_text("no column holds the deal id")
    expect(page.locator("[data-how]")).to_have_text(["ignored"] * 4)
    expect(page.locator("button:has-text('Import')")).to_have_count(0)

    for number, field in enumerate(("crm_id", "account_name", "stage", "amount"), start=1):
        page.select_option(f"#map-{number}", field)
    page.check("input[name=save_mapping]")
    page.click("button:has-text('Preview again')")
    expect(page.locator("[data-import-result]")).to_contain_text(
        "2 deals from generic: 2 would be created"
    )
    expect(page.locator("#map-2")).to_have_value("account_name")
    screenshot(page, "deal-import-preview")

    if shutil.which("java") and (NODE_MODULES / VNU).exists():  # else test_html_valid says why
        html = tmp_path / "deal-import-preview.html"
        html.write_text(page.content(), encoding="utf-8")  # before axe adds its script
        errors = validate([html])
        assert not errors, describe_html(errors)
    page.add_script_tag(path=tool(AXE))
    violations = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
            .then(results => results.violations)""",
        WCAG_21_AA,
    )
    assert not violations, f"axe finds on the preview:\n{describe_axe(violations)}"

    page.click("button:has-text('Import 2 deals')")
    expect(page.locator("[data-import-result]")).to_contain_text("2 created")

    # The next export with the same headers reads with the remembered columns.
    export.write_text("Ref,Customer,Phase,Value\nX-3,Globex,Proposal,10\n")
    page.click("text=Import another file")
    page.set_input_files("#d-file", str(export))
    page.click("button:has-text('Preview')")
    expect(page.locator("[data-how]")).to_have_text(["mapped (saved)"] * 4)
    expect(page.locator("button:has-text('Import 1 deal')")).to_be_visible()
