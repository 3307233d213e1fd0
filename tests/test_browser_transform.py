"""Browser: the Transformations page sweeps a digit; switching the kind and moving the steps slider change the
frames, the distance curves and the path on the latent map."""

import pytest

from tests.browser import app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser

# The y values of the trace named `name` in the plotly chart whose traces include it, or null while
# that chart is not drawn yet (plotly keeps the decoded arrays in the graph div's _fullData).
TRACE_JS = """name => {
    for (const plot of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
        const trace = (plot._fullData || []).find(t => t.name === name);
        if (trace) return Array.from(trace.y);
    }
    return null;
}"""


def _trace(page, name: str, length: int) -> list[float]:
    """The y values of trace `name` once the chart shows `length` of them (it redraws after a rerun)."""
    page.wait_for_function(f"name => {{ const y = ({TRACE_JS})(name); return y !== null && y.length === {length}; }}",
                           arg=name, timeout=30_000)
    return page.evaluate(TRACE_JS, name)


def test_switching_the_kind_and_the_steps_redraws_the_sweep(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/transform")
    wait_for_app(page)
    verdict = page.locator('[data-testid="stMarkdownContainer"]',
                           has_text="What the lecture claims, and what standard_d30 shows.")
    expect(verdict).to_contain_text("Fig. 6")
    expect(page.get_by_text("-6.0 px", exact=True).first).to_be_visible()
    pixels = _trace(page, "pixels (784 numbers)", 13)
    path = _trace(page, "the sweep", 13)
    assert pixels[0] == 0 and pixels[1] > 0.2  # one pixel of shift already moves the 7 far
    screenshot(page, "transform-shift")

    page.get_by_role("radio", name="Rotation").click()
    wait_for_app(page, settle_ms=500)
    expect(verdict).to_contain_text("Fig. 8")
    expect(page.get_by_text("-45°", exact=True).first).to_be_visible()
    rotated = _trace(page, "pixels (784 numbers)", 13)
    assert rotated != pixels and rotated[0] == 0
    assert _trace(page, "the sweep", 13) != path

    slider = page.get_by_role("slider", name="Steps")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")
    wait_for_app(page, settle_ms=800)
    fewer = _trace(page, "pixels (784 numbers)", 9)
    assert fewer[-1] == pytest.approx(rotated[-1], rel=1e-6)  # the same ends, in fewer steps
    assert len(_trace(page, "the sweep", 9)) == 9
    expect(page.get_by_text("-34°", exact=True).first).to_be_visible()  # -45 + 90 / 8, rounded
    assert app_exceptions(page) == []
    screenshot(page, "transform-rotation")
