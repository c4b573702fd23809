"""Every page's HTML, as the server sends it, is valid to the Nu HTML Checker (vnu.jar).

vnu.jar comes from node_modules (`npm ci --ignore-scripts` in the repository
root) and needs Java; without them this test skips, and fails under CI=true. All pages go
through one `java` run: the JVM takes seconds to start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.audited_pages import PAGE_NAMES, Visit, build_visit, tool
from tests.browser.conftest import Contexts, Server
from tests.server import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

VNU = "vnu-jar/build/dist/vnu.jar"
VNU_TIMEOUT_SECONDS = 120


def java() -> str:
    found = shutil.which("java")
    if found is None:
        why = "java is not on PATH (the Nu HTML Checker needs Java 11 or later)"
        if in_ci():
            pytest.fail(f"CI runs the HTML check, but {why}", pytrace=False)
        pytest.skip(why)
    return found


def validate(files: list[Path]) -> list[dict[str, Any]]:
    """The Nu checker's errors for `files`, in one JVM run."""
    result = subprocess.run(
        [java(), "-jar", str(tool(VNU)), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=VNU_TIMEOUT_SECONDS,
        check=False,
    )
    # It exits 1 when it finds errors and writes its JSON report to stderr.
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"vnu.jar exited with {result.returncode} without a JSON report:\n"
            f"{result.stderr}{result.stdout}"
        ) from None
    messages: list[dict[str, Any]] = report["messages"]
    return messages


def describe(errors: list[dict[str, Any]]) -> str:
    lines = []
    for error in errors:
        where = Path(error.get("url", "")).name
        lines.append(
            f"- {where}:{error.get('lastLine', '?')}: {error['message']}"
            f"\n    {error.get('extract', '').strip()}"
        )
    return "\n".join(lines)


def test_every_page_is_valid_html_to_the_nu_checker(
    browser: Browser, server: Server, context: Contexts, tmp_path: Path
) -> None:
    java()
    tool(VNU)
    visit: Visit = build_visit(browser, server)
    files = []
    for name in PAGE_NAMES:
        _, html = visit.open(context, name)
        file = tmp_path / f"{name}.html"
        file.write_text(html, encoding="utf-8")
        files.append(file)

    errors = validate(files)

    assert not errors, f"the Nu HTML Checker finds {len(errors)} error(s):\n{describe(errors)}"
