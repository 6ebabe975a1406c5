"""The API's interactive documentation in real Chromium, with no internet: Swagger UI loads from
the app itself, lists the endpoints, and its "Try it out" calls the API with a key."""

from __future__ import annotations

import pytest

from tests.test_browser import browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser


def test_the_docs_render_and_call_the_api_offline(browser, api_url, keys, api_world) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside = []
    tab.on("request", lambda request: None if request.url.startswith(api_url) else outside.append(request.url))
    tab.goto(f"{api_url}/api/docs")
    tab.get_by_role("heading", name="Leadline API").first.wait_for(timeout=30_000)
    tab.get_by_text("/v1/leads/{lead_id}", exact=True).first.wait_for(timeout=30_000)
    # Authorise with a reader key and call GET /v1/leads/{lead_id} from the page.
    tab.get_by_role("button", name="Authorize").first.click()
    dialog = tab.locator(".dialog-ux")
    dialog.locator("input").first.fill(keys.reader)
    dialog.locator("button.authorize").click()
    dialog.locator("button.btn-done").click()
    operation = tab.locator("#operations-leads-get_lead_v1_leads__lead_id__get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("input[placeholder='lead_id']").fill(str(api_world.ids["l1"]))
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip().startswith("200")
    assert "Asha Patil" in operation.locator(".live-responses-table").inner_text()
    assert outside == []
    context.close()
