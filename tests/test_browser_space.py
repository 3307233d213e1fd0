"""Browser: nothing a user made is lost on a reload, a new tab or a server restart, and no one else reaches it.

One server of this module's own (so it can be restarted), one short training, then the browser's space is
checked from every side: a reload, a fresh browser, a restarted server, a tampered cookie, "Forget".
"""

import re

import pytest

from tests.browser import (
    ARTIFACTS,
    app_exceptions,
    find_in_repair_picker,
    free_port,
    image_src,
    screenshot,
    serve_app,
    train_a_short_model,
    wait_for_app,
)

pytestmark = pytest.mark.browser

MODEL = "kept_model"
COOKIE = "AE_LAB_SPACE"
# A "7" as fractions of the canvas: the bar, then the stem.
SEVEN = [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.45, 0.85)]]


def draw_a_seven(page) -> None:
    """Pick "Draw" and draw a 7 with the mouse; waits until the page uses it."""
    from playwright.sync_api import expect

    page.get_by_text("Draw", exact=True).click()
    wait_for_app(page)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    for stroke in SEVEN:
        page.mouse.move(box["x"] + stroke[0][0] * box["width"], box["y"] + stroke[0][1] * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + stroke[1][0] * box["width"], box["y"] + stroke[1][1] * box["height"], steps=12)
        page.mouse.up()
        wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Current digit: your drawing")).to_be_visible()


def offers_the_model(page, base_url: str) -> bool:
    """Whether Repair's standard-AE picker lists MODEL (closes the list again)."""
    page.goto(f"{base_url}/repair")
    wait_for_app(page)
    picker, options = find_in_repair_picker(page, MODEL)
    found = options.count() > 0
    picker.press("Escape")
    return found


def test_a_browser_keeps_its_models_and_digits_and_no_one_else_sees_them(playwright_sync, chromium_browser,
                                                                        tmp_path):
    from playwright.sync_api import expect

    port, models = free_port(), tmp_path / "spaces"
    log = ARTIFACTS / "streamlit-space-server.log"
    mine = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = mine.new_page()
    page.set_default_timeout(30_000)
    with serve_app(port, models, log) as base_url:
        page.goto(f"{base_url}/train")
        wait_for_app(page)
        train_a_short_model(page, MODEL)
        [cookie] = [c for c in mine.cookies() if c["name"] == COOKIE]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie["value"]) and cookie["value"] not in page.url

        # A reload: the model is still offered and still repairs; a drawn digit is still the current digit.
        page.reload()
        wait_for_app(page)
        page.goto(f"{base_url}/repair")
        wait_for_app(page)
        _, options = find_in_repair_picker(page, MODEL)
        options.first.click()
        wait_for_app(page)
        expect(page.get_by_text(MODEL, exact=True).filter(visible=True).first).to_be_visible()  # in the table
        draw_a_seven(page)
        drawn = image_src(page, "original")
        page.reload()
        wait_for_app(page)
        expect(page.get_by_text("Current digit: your drawing")).to_be_visible()
        assert image_src(page, "original") == drawn
        assert app_exceptions(page) == []
        screenshot(page, "space-after-reload")

        # Another browser, the same link: its own, empty space.
        other = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
        stranger = other.new_page()
        stranger.goto(page.url)
        wait_for_app(stranger)
        assert image_src(stranger, "original") != drawn and not offers_the_model(stranger, base_url)
        other.close()

        # A cookie made up or tampered with: an empty space, no error, and a fresh token in its place.
        for forged in ("../../" + cookie["value"], cookie["value"][:-1] + ("A" if cookie["value"][-1] != "A" else "B")):
            forger = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
            forger.add_cookies([{"name": COOKIE, "value": forged, "url": base_url}])
            forged_page = forger.new_page()
            assert not offers_the_model(forged_page, base_url)
            assert app_exceptions(forged_page) == []
            forger.close()

    # The server restarts (same folder): the model and the digit come back.
    with serve_app(port, models, log) as base_url:
        page.goto(f"{base_url}/repair")
        wait_for_app(page)
        expect(page.get_by_text("Current digit: your drawing")).to_be_visible()
        assert image_src(page, "original") == drawn
        assert offers_the_model(page, base_url)

        # "Forget my models and digits": gone, here and after a reload.
        page.goto(f"{base_url}/train")
        wait_for_app(page)
        page.get_by_role("button", name="Forget my models and digits").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Your models")).to_have_count(0)
        page.reload()
        wait_for_app(page)
        assert not offers_the_model(page, base_url)
        expect(page.get_by_text("Current digit: your drawing")).to_have_count(0)
        assert app_exceptions(page) == []
    mine.close()
