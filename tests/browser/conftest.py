"""Browser tests: Playwright driving Debian's Chromium against a real `mutualplan serve`.

The server is a real ASGI process (the pages stream Server-Sent Events, which Django's WSGI
live server cannot do) with its own throw-away SQLite data directory, also during the
PostgreSQL pass of the suite. Tests reach it only over HTTP and through its CLI
(`server.run_cli`), never through the Django test database.

- `server`: the running app (`url`, `data_dir`, `env`, `run_cli(...)`, `api(...)`; see
  tests/server.py);
- `browser`: one headless Chromium shared by all the browser tests;
- `context`: opens independent browser contexts, e.g. one for the seller and one for the buyer
  (`context(phone=True)` for a 390x844 phone); `page`: one page in a fresh desktop context;
- `screenshot(page, name)`: saves `artifacts/screenshots/<name>.png`; a failing test saves one of
  every page it had open under `artifacts/screenshots/failures/`.

Without Chromium or the playwright package the browser tests skip, saying why; with CI=true
they fail instead. Import playwright inside the tests (or under TYPE_CHECKING) so that a test
module still collects without the package, and set data up over HTTP or the CLI: the test
process's own Django database is not the server's.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.server import MUTUALPLAN, Server, in_ci, start_server, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# MUTUALPLAN_CHROMIUM points elsewhere, e.g. at a missing path to see the skip.
CHROMIUM = Path(os.environ.get("MUTUALPLAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

# Playwright's own default is 30 s; a local page that needs more than this is a failure.
ACTION_TIMEOUT_MS = 10_000


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: .venv/bin/pip install -e '.[test]'"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium against a running server")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = None if in_ci() else browser_missing()
    for item in items:
        if HERE not in item.path.resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing and "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=missing))


# The server under test: tests/server.py


# Package scope: one server, one Playwright and one browser for all the browser tests, stopped
# before the rest of the suite runs. A live sync Playwright leaves an asyncio loop marked as
# running on the main thread, which makes every later Django ORM call in the same process raise
# SynchronousOnlyOperation.


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not MUTUALPLAN.exists():
        pytest.fail(f"{MUTUALPLAN} is missing: .venv/bin/pip install -e '.[test]'", pytrace=False)
    running, process = start_server(tmp_path_factory.mktemp("browser-server"))
    try:
        yield running
    finally:
        stop_server(process)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    missing = browser_missing()
    if missing:
        if in_ci():
            pytest.fail(f"CI runs the browser tests, but {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class Contexts:
    """Opens independent browser contexts (separate cookies and storage), closed after the test.

    `context()` is a desktop (1280x800) context, `context(phone=True)` a 390x844 touch phone;
    other keyword arguments go to Playwright's `browser.new_context`. Relative URLs resolve
    against the server under test: `page.goto("/")`.
    """

    browser: Browser
    base_url: str
    opened: list[BrowserContext] = field(default_factory=list)
    # Browser console errors and uncaught page errors, shown when the test fails.
    errors: list[str] = field(default_factory=list)

    def __call__(self, *, phone: bool = False, **options: Any) -> BrowserContext:
        options.setdefault("base_url", self.base_url)
        if phone:
            options.setdefault("viewport", PHONE)
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        else:
            options.setdefault("viewport", DESKTOP)
        new = self.browser.new_context(**options)
        new.set_default_timeout(ACTION_TIMEOUT_MS)
        new.on(
            "console",
            lambda message: (
                self.errors.append(f"console {message.type}: {message.text}")
                if message.type in ("error", "warning")
                else None
            ),
        )
        new.on("weberror", lambda error: self.errors.append(f"page error: {error.error}"))
        self.opened.append(new)
        return new

    @property
    def pages(self) -> list[Page]:
        return [page for opened in self.opened for page in opened.pages]

    def close(self) -> None:
        for opened in self.opened:
            opened.close()
        self.opened.clear()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[Contexts]:
    contexts = Contexts(browser, server.url)
    try:
        yield contexts
    finally:
        contexts.close()


@pytest.fixture
def page(context: Contexts) -> Page:
    return context().new_page()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as `artifacts/screenshots/<name>.png` (git-ignored); its path."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=full_page)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when != "call" or not report.failed:
        return report
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    contexts = funcargs.get("context")
    if isinstance(contexts, Contexts):
        name = re.sub(r"[^\w.-]+", "_", f"{item.path.stem}.{item.name}")
        pages = contexts.pages
        saved = []
        for number, open_page in enumerate(pages, start=1):
            suffix = f"-{number}" if len(pages) > 1 else ""
            try:
                saved.append(str(screenshot(open_page, f"failures/{name}{suffix}")))
            except Exception as error:  # a crashed or closed page must not hide the failure
                saved.append(f"(no screenshot of {open_page.url}: {error})")
        if saved:
            report.sections.append(("screenshots", "\n".join(saved)))
        if contexts.errors:
            report.sections.append(("browser console", "\n".join(contexts.errors)))
    running = funcargs.get("server")
    if isinstance(running, Server):
        report.sections.append(("mutualplan serve log", running.log()))
    return report
