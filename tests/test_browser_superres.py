"""Browser: Super-resolution enlarges a 7x7 digit four ways, and switching to 14x14 redraws every picture."""

import pytest

from tests.browser import app_exceptions, image_src, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_switching_the_size_redraws_the_enlargements(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/superres")
    wait_for_app(page)
    expect(page.get_by_text("nearest (the 7×7 input)")).to_be_visible()
    expect(page.get_by_text("Best on this digit:", exact=False)).to_be_visible()
    before = {c: image_src(page, c) for c in ("bicubic", "superres_resunet")}
    screenshot(page, "superres-7x7")

    page.get_by_text("14×14", exact=True).click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("nearest (the 14×14 input)")).to_be_visible()
    after = {c: image_src(page, c) for c in before}
    assert all(after[c] != before[c] for c in before), (before, after)
    assert app_exceptions(page) == []
    screenshot(page, "superres-14x14")
