"""Browser: the Generate page draws samples and their nearest training digits; the class picker and the
"New samples" button draw other samples (the images' URLs are hashes of their pixels)."""

import pytest

from tests.browser import app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _sample_sources(page) -> list[str]:
    """The src of every image in the samples' row (the first 8 images of the page)."""
    images = page.locator('[data-testid="stImage"] img')
    return [images.nth(k).get_attribute("src") for k in range(8)]


def test_generate_changes_its_samples(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/generate")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="Generate")).to_be_visible()
    expect(page.get_by_text("Samples of any digit from conv_d30", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(16)  # 8 samples, 8 nearest digits
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    before = _sample_sources(page)
    assert len(set(before)) == 8

    picker = page.get_by_label("Digit", exact=True)
    picker.click()
    picker.fill("4")
    picker.press("Enter")
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Samples of a 4 from conv_d30", exact=False)).to_be_visible()
    expect(page.get_by_text("of these 8 samples have a nearest training digit of class 4", exact=False)).to_be_visible()
    fours = _sample_sources(page)
    assert set(fours).isdisjoint(before)

    page.get_by_role("button", name="New samples").click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Samples of a 4 from conv_d30, t = 1.0, seed 0", exact=False)).to_have_count(0)
    assert set(_sample_sources(page)).isdisjoint(fours)
    assert app_exceptions(page) == []
    screenshot(page, "generate")
