"""Browser fixtures: Playwright driving Debian's headless Chromium (skips if unavailable)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import ARTIFACTS, CHROMIUM_ARGS, chromium_path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the Python playwright package is not installed (pip install -e .[test])")
    exe = chromium_path()
    if exe is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/install-tools)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class PageProbe:
    """A page plus what it did: dialogs, page errors, console errors, network requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"errors: {self.errors}"
        assert self.page.evaluate("window.__pwned") is None, "injected script ran"
        external = [u for u in self.requests if not u.startswith(("file:", "data:", "blob:"))]
        assert external == [], f"network requests: {external}"


@pytest.fixture
def probe(browser: Any) -> Iterator[PageProbe]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield PageProbe(page)
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
