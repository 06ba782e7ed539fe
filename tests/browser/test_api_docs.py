"""The API's documentation page in Chromium: Swagger UI from the app's own files (no other host asked),
no Content Security Policy violation, every operation listed, and a call made from it with a token."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oversight.api.spec import openapi_document
from tests.api.conftest import a_vendor, make_token  # noqa: F401 - the API tests' fixtures

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("API_SHOTS_DIR")  # where to keep the screenshots to look at; a temporary folder by default


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def watched(page, base_url):
    """The page, with every request to another host refused and recorded, and console errors recorded."""
    foreign, errors = [], []

    def route(request_route):
        if request_route.request.url.startswith(base_url):
            request_route.continue_()
        else:
            foreign.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, foreign, errors


def test_the_documentation_page_shows_every_operation_from_local_files(app, watched, tmp_path):
    page, foreign, errors = watched
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    with app.app_context():
        document = openapi_document()
    operations = sum(len(methods) for methods in document["paths"].values())
    webhooks = sum(len(methods) for methods in document["webhooks"].values())
    assert webhooks > 0
    # Swagger UI draws each operation and each webhook (the events Oversight sends) as one block.
    assert page.locator(".opblock").count() == operations + webhooks
    assert page.locator(".info .title").inner_text().startswith("Oversight API")
    _shot(page, tmp_path, "api-docs")
    assert foreign == [] and errors == []


def test_a_call_from_the_documentation_page_with_a_token(watched, make_token, a_vendor, tmp_path):  # noqa: F811
    page, foreign, errors = watched
    holder = make_token("viewer", scope="read")
    page.goto("/api/v1/docs")
    page.locator("button.authorize").click()
    page.locator(".modal-ux input[type=text]").fill(holder.secret)
    page.locator(".modal-ux button[type=submit]").click()
    page.locator(".modal-ux button.btn-done").click()
    operation = page.locator("#operations-vendors-getVendor")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("input[placeholder='vendor_id']").fill(str(a_vendor))
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("200")
    assert "株式会社テスト給与" in operation.locator(".live-responses-table").inner_text()
    _shot(page, tmp_path, "api-docs-call")
    assert foreign == [] and errors == []


def test_the_token_page_shows_a_new_token_once(page, make_user, sign_in, tmp_path):
    sign_in(make_user("procurement"))
    page.goto("/auth/tokens")
    page.fill("#access-token-name", "購買システム連携")
    page.select_option("#access-token-scope", "write")
    page.locator("form button[type=submit].btn-primary").click()
    secret = page.locator("[data-testid=token-secret] input").input_value()
    assert secret.startswith("ovt_")
    _shot(page, tmp_path, "api-token-created")
    page.goto("/auth/tokens")
    assert page.locator("[data-testid=token-secret]").count() == 0
    assert "購買システム連携" in page.locator("[data-testid=token-list]").inner_text()
