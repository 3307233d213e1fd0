"""Browser: every page at phone width (390x844) and at 1280x900, in every language, with whole-page screenshots
in test-artifacts/layout-<language>-<size>-<page>.png to look at.

A page fails if it scrolls sideways or if a button's or tab's label is cut (its text overflows its box, which
Streamlit shows as "Ran…"). Repair is also checked with its drawing canvas open. (A phone's touch drawing and
Repair's row of digits on a phone: tests/test_browser_touch.py.)
"""

import pytest

from tests.browser import PHONE_VIEWPORT, VIEWPORT, app_exceptions, screenshot, wait_for_app
from ui import i18n

pytestmark = pytest.mark.browser

SIZES = {"phone": PHONE_VIEWPORT, "desktop": VIEWPORT}
PAGES = ["", "generate", "interpolate", "transform", "superres", "repair", "compress", "toy", "kernels",
         "latent", "anomaly", "benchmarks", "train"]

# The text of every box inside a visible button or tab (segmented controls are buttons) whose content is wider
# than the box: a cut label.
CUT_LABELS_JS = """() => {
    const controls = document.querySelectorAll('button, [role="tab"]');
    const cut = [];
    for (const control of controls) {
        if (!control.offsetParent) continue;  // hidden (a collapsed expander, the closed sidebar)
        for (const box of control.querySelectorAll('*')) {  // e.g. Streamlit's stMarkdownEllipsis around <p>
            if (box.clientWidth && box.scrollWidth > box.clientWidth + 1) cut.push(box.textContent.trim());
        }
    }
    return cut;
}"""
# How far the page scrolls sideways: the document, or Streamlit's main column, which scrolls inside it.
SIDEWAYS_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return Math.max(document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth);
}"""
MAIN_HEIGHT_JS = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
MAX_SCREENSHOT_PX = 12_000


def whole_page_screenshot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls its main column inside a fixed-size window, so the
    window is made as tall as the column for the picture, then restored."""
    size = page.viewport_size
    height = min(page.evaluate(MAIN_HEIGHT_JS), MAX_SCREENSHOT_PX)
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_timeout(300)  # plots follow the new size
    screenshot(page, name)
    page.set_viewport_size(size)


def layout_problems(page, name: str) -> list[str]:
    """Screenshot the page as it is now; what is wrong with its layout, one sentence per problem."""
    whole_page_screenshot(page, name)
    assert app_exceptions(page) == [], name
    problems = []
    sideways = page.evaluate(SIDEWAYS_JS)
    if sideways > 0:
        problems.append(f"{name}: the page scrolls {sideways} px sideways")
    cut = page.evaluate(CUT_LABELS_JS)
    if cut:
        problems.append(f"{name}: cut labels {cut}")
    return problems


@pytest.mark.parametrize("lang", i18n.languages())
@pytest.mark.parametrize("size_name", SIZES)
def test_every_page_fits_without_cut_labels(app_server, chromium_browser, size_name, lang):
    """In every language: a translation is often longer than the English it replaces."""
    context = chromium_browser.new_context(viewport=SIZES[size_name])
    page = context.new_page()
    problems = []
    try:
        for path in PAGES:
            page.goto(f"{app_server}/{path}?lang={lang}")
            wait_for_app(page, settle_ms=1000)
            page.wait_for_timeout(500)  # plots lay themselves out
            problems += layout_problems(page, f"layout-{lang}-{size_name}-{path or 'home'}")
        page.goto(f"{app_server}/repair?lang={lang}")  # and its digit source's canvas, with the canvas' toolbar
        wait_for_app(page)
        page.get_by_text(i18n.catalogue(lang).gettext("Draw"), exact=True).click()
        wait_for_app(page, settle_ms=1000)
        problems += layout_problems(page, f"layout-{lang}-{size_name}-repair-draw")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
