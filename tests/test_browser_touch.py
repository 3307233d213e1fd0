"""Browser: Repair on a phone (390x844). The result row keeps at least three digits side by side, and a digit
drawn with a finger on the canvas reaches the models.

Playwright's touchscreen can only tap, so the finger's strokes are sent as touch events through the Chrome
DevTools Protocol (Input.dispatchTouchEvent), as a phone's touchscreen would send them.
"""

import pytest

from tests.browser import PHONE_VIEWPORT, app_exceptions, image_src, screenshot, wait_for_app

pytestmark = pytest.mark.browser

IMAGES = '[data-testid="stImageContainer"]'  # one per picture of an st.image row, with its caption
CAPTION = '[data-testid="stImageCaption"]'
SAME_ROW_PX = 2
# A "7" as fractions of the canvas: the bar, then the stem, 20 touch points each.
STROKES = [[(0.25 + 0.5 * t / 19, 0.22) for t in range(20)],
           [(0.75 - 0.3 * t / 19, 0.22 + 0.63 * t / 19) for t in range(20)]]


@pytest.fixture
def phone(chromium_browser):
    """A context at phone size, with a touchscreen; yields (context, page)."""
    context = chromium_browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=1, has_touch=True,
                                           is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield context, page
    context.close()


def touch_stroke(cdp, box: dict, points: list[tuple[float, float]]) -> None:
    """One finger stroke on `box` (a canvas' bounding box in the page), through `points` given as fractions of
    its width and height: touchStart at the first point, touchMove through the rest, touchEnd."""
    def at(fx, fy):
        return [{"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(*points[0])})
    for point in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": at(*point)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_repair_shows_three_images_side_by_side_on_a_phone(app_server, phone):
    """Streamlit stacks columns on a phone; the result row is one st.image list with a fixed width, so it wraps
    instead, and a phone still compares the original, the damaged digit and a repair at a glance."""
    from playwright.sync_api import expect

    _, page = phone
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    original = page.locator(IMAGES).filter(has=page.get_by_text("original", exact=True))
    original.scroll_into_view_if_needed()
    screenshot(page, "touch-phone-repair")
    top = original.bounding_box()["y"]
    row = [image for image in page.locator(IMAGES).all() if abs(image.bounding_box()["y"] - top) <= SAME_ROW_PX]
    xs = {round(image.bounding_box()["x"]) for image in row}
    assert len(xs) >= 3, f"the row of 'original' holds {len(row)} image(s) at x = {sorted(xs)}"
    for image in row:
        expect(image.locator(CAPTION)).to_be_visible()
    captions = [image.locator(CAPTION).inner_text() for image in row]
    assert {"original", "damaged"} <= set(captions), captions
    assert app_exceptions(page) == []


def test_a_digit_drawn_by_touch_reaches_the_models(app_server, phone):
    """Draw a 7 with a finger: the canvas sends its picture when the finger lifts, the page shows what the
    models see, and the repair row's original is that same digit (not the MNIST digit shown before)."""
    from playwright.sync_api import expect

    context, page = phone
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    before = image_src(page, "original")
    page.get_by_text("Draw", exact=True).click()
    wait_for_app(page)
    canvas = page.locator("canvas.upper-canvas").first  # Fabric.js's top canvas, in the component's shadow root
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cdp = context.new_cdp_session(page)
    for stroke in STROKES:
        touch_stroke(cdp, box, stroke)
        wait_for_app(page, settle_ms=800)  # each lifted finger sends the picture: a rerun
    expect(page.get_by_text("Current digit: your drawing")).to_be_visible()
    seen = image_src(page, "what the models see (28x28)")
    page.locator(IMAGES).filter(has=page.get_by_text("original", exact=True)).scroll_into_view_if_needed()
    screenshot(page, "touch-phone-drawn")
    assert seen != before, "the drawing did not replace the MNIST digit"
    assert image_src(page, "original") == seen, "the repairs are not of the drawn digit"
    assert app_exceptions(page) == []
