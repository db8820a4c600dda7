"""Pytest fixtures for browser tests in real Chromium: Debian's ``chromium`` driven by Playwright's sync API.

Registered once for the whole run (the root conftest.py lists this plugin), so
platform and add-on tests share one Playwright driver per test process: a
second driver in the same process would fail ("Sync API inside the asyncio loop").

- ``playwright_driver``: the driver, once per test process;
- ``page``: a Playwright page in a fresh Chromium profile (``make_page(locale=...)`` for
  another language); only 127.0.0.1 is ever contacted.
- ``shot("step")``: saves a screenshot of a scenario's key step to ``test-artifacts/``.

Never download a browser: ``make install`` puts Debian's chromium at /usr/bin/chromium.
Without it these tests skip, except under CI, where a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
#: Nothing but the local server: no updates, sync, QUIC probes or first-run pages.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: How long a step may wait for the page (ms): generous for a loaded 2-core CI machine.
TIMEOUT_MS = 10_000


def _require_browser():
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (make install puts Debian's chromium there)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver per test process."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture
def make_page(playwright_driver, tmp_path):
    """``make_page(locale="en-US")``: a page in its own fresh Chromium profile."""
    contexts = []

    def factory(locale: str = "en-US"):
        profile = tmp_path / f"chromium-profile-{len(contexts)}"
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale=locale,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.pages[0] if context.pages else context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def shot(request):
    """``shot(page, "step")``: ``test-artifacts/<test>/<nn>-<step>.png``."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def take(page, step: str):
        taken.append(step)
        page.screenshot(path=str(folder / f"{len(taken):02d}-{step}.png"))

    return take


def log_in(page, base_url: str, login: str = "admin", password: str | None = None):
    """Sign in through the login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password or login)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
