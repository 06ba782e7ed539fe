"""Browser tests: the app as a real server on 127.0.0.1 and Playwright driving Debian's Chromium.

Without Chromium the tests are skipped with the reason shown, except under CI
(``CI=true``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app on a free port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required under CI but was not found at /usr/bin/chromium")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": path, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def browser_context_args(browser_context_args):
    viewport = {"width": 1280, "height": 900}
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo", "viewport": viewport}


@pytest.fixture
def sign_in(page):
    """Sign in through the form and wait for the dashboard."""

    def do(user) -> None:
        page.goto("/auth/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", user.password)
        page.locator("form[action$='/auth/login'] button[type=submit]").click()
        page.wait_for_url("**/dashboard")

    return do
