"""Browser: on the real Compress page, pick another code format and the star on the rate-distortion plot and the
PCA picture move; turn off the container headers and the codec curves move left."""

import pytest

from tests.browser import app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _traces(page) -> dict[str, dict]:
    """{trace name: {"x", "y", "symbols"}} of the plot as plotly drew it (the graph div holds its data)."""
    return page.evaluate("""() => {
        const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        const out = {};
        for (const t of plot.data) {
            out[t.name] = {x: Array.from(t.x), y: Array.from(t.y),
                           symbols: t.marker && t.marker.symbol ? Array.from([].concat(t.marker.symbol)) : []};
        }
        return out;
    }""")


def _star(trace: dict) -> tuple[float, float]:
    i = trace["symbols"].index("star")
    return trace["x"][i], trace["y"][i]


def test_format_and_headers_change_the_figures(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/compress")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="Compress")).to_be_visible()
    expect(page.get_by_text("PCA-30, 8-bit: 240 bits", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')).to_be_visible()
    expect(page.get_by_text("What our numbers show", exact=False)).to_be_visible()
    before = _traces(page)
    assert _star(before["your digit: conv_d30"])[0] == 240
    screenshot(page, "compress-8bit")

    page.get_by_test_id("stRadioGroup").get_by_text("4-bit", exact=True).click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("PCA-30, 4-bit: 120 bits", exact=False)).to_be_visible()
    after = _traces(page)
    assert _star(after["your digit: conv_d30"])[0] == 120
    assert _star(after["your digit: PCA-30"]) != _star(before["your digit: PCA-30"])
    assert app_exceptions(page) == []

    page.get_by_text("Count the image codecs' container headers", exact=False).click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("bits per digit (payload only)")).to_be_visible()
    payload = _traces(page)
    assert all(a < b for a, b in zip(payload["JPEG, test set"]["x"], after["JPEG, test set"]["x"], strict=True))
    assert app_exceptions(page) == []
    screenshot(page, "compress-4bit-payload")
