"""Browser: the bad-input matrix where AppTest cannot go (tests/test_bad_input.py has the rest).

On the real Repair page, one session each: the whole series of uploads (tests.test_bad_input.UPLOADS), each
giving its sentence or its digit while the results stay those of the last good digit; and the canvas left
empty, given one dot, then painted all over.
"""

import re

import pytest

from tests.browser import METRICS_TABLE, app_exceptions, image_src, screenshot, wait_for_app
from tests.test_bad_input import BLANK, GOOD_UPLOAD, UPLOADS

pytestmark = pytest.mark.browser


def _still_repairing(page, expect, label: str) -> None:
    """The page ran cleanly and shows results, for the digit called `label`."""
    expect(page.get_by_text(f"Current digit: {label}", exact=True)).to_be_visible()
    expect(page.locator(METRICS_TABLE).first).to_be_visible()
    expect(page.get_by_text("Navier-Stokes", exact=True).filter(visible=True).first).to_be_visible()
    assert app_exceptions(page) == []


def test_a_series_of_bad_uploads_keeps_the_last_good_digit(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    good, src_before = GOOD_UPLOAD.name, None
    for upload in [GOOD_UPLOAD, *UPLOADS]:
        dropzone.set_input_files({"name": upload.name, "mimeType": upload.mime, "buffer": upload.data})
        wait_for_app(page, settle_ms=600)
        errors = page.locator('[data-testid="stAlert"]').filter(has_text=re.compile(rf"^{re.escape(upload.name)}: "))
        if upload.message is None:
            expect(errors).to_have_count(0)
            good = upload.name
        else:
            expect(errors).to_have_count(1)
            expect(errors).to_contain_text(f"{upload.name}: {upload.message}")
        _still_repairing(page, expect, good)
        if upload.name == "one-pixel.png":  # a bad file right after a good one: that digit is still repaired
            assert image_src(page, "original") == src_before
        src_before = image_src(page, "original")
    screenshot(page, "bad-input-uploads")


def _paint_everything(page, box) -> None:
    """Zigzag over the whole canvas with the 22-px pen, rows 8 px apart, from edge to edge."""
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + 2, y0 + 2)
    page.mouse.down()
    y = 2
    while y <= h - 2:
        page.mouse.move(x0 + w - 2, y0 + y, steps=4)
        page.mouse.move(x0 + w - 2, y0 + y + 8)
        page.mouse.move(x0 + 2, y0 + y + 8, steps=4)
        page.mouse.move(x0 + 2, y0 + y + 16)
        y += 16
    page.mouse.up()


def test_the_canvas_empty_one_dot_and_fully_painted(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    mnist_src = image_src(page, "original")
    page.get_by_text("Draw", exact=True).click()
    wait_for_app(page)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(state="visible")
    # Empty: say what to do; meanwhile the MNIST digit is still the one repaired.
    expect(page.get_by_text("Draw a digit in the box. Until you do, the page uses test digit 7 #0.")).to_be_visible()
    _still_repairing(page, expect, "test digit 7 #0")
    assert image_src(page, "original") == mnist_src

    # One dot: a valid (round) digit, scaled up like any drawing; the models repair it.
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("what the models see (28x28)")).to_be_visible()
    expect(page.get_by_text("Draw a digit in the box", exact=False)).to_have_count(0)
    _still_repairing(page, expect, "your drawing")
    dot_src = image_src(page, "original")
    assert dot_src != mnist_src

    # Fully painted: no contrast, so no digit; the sentence says so and the dot stays the digit.
    _paint_everything(page, box)
    wait_for_app(page, settle_ms=1000)
    expect(page.get_by_text(BLANK, exact=False)).to_be_visible()
    expect(page.get_by_text("what the models see (28x28)")).to_have_count(0)
    _still_repairing(page, expect, "your drawing")
    assert image_src(page, "original") == dot_src
    screenshot(page, "bad-input-canvas")
