"""Browser: on the real Repair page, draw a 7 with the mouse, damage it with dropout p = 0.7, see every
method's repair and figures; pick an MNIST digit; switch a model."""

import re

import pytest

from tests.browser import METRICS_TABLE, app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _draw_a_seven(page) -> None:
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    x0, y0, w = box["x"], box["y"], box["width"]
    strokes = [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.45, 0.85)]]  # the bar, then the stem
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0] * w, y0 + stroke[0][1] * w)
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + fx * w, y0 + fy * w, steps=12)
        page.mouse.up()


def test_draw_damage_and_compare(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair?p=0.7")  # a shared link goes through app.py's router
    wait_for_app(page)
    assert app_exceptions(page) == []
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_contain_text("Home")
    expect(nav).not_to_contain_text("app")  # not Streamlit's legacy file-name menu
    expect(page.get_by_text("Navier-Stokes", exact=True).filter(visible=True).first).to_be_visible()
    screenshot(page, "repair-mnist")

    page.get_by_text("Draw", exact=True).click()
    wait_for_app(page)
    _draw_a_seven(page)
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Current digit: your drawing")).to_be_visible()
    expect(page.get_by_text("what the models see (28x28)")).to_be_visible()
    for caption in ("original", "damaged", "standard_d30", "denoising_d500", "projection: denoising_d500",
                    "repair_resunet", "Telea", "Navier-Stokes", "Biharmonic"):
        expect(page.get_by_text(caption, exact=True).filter(visible=True).first).to_be_visible()
    expect(page.get_by_text("Winner on this digit:").first).to_be_visible()
    expect(page.locator(METRICS_TABLE).first).to_be_visible()
    assert "p=0.7" in page.url
    assert app_exceptions(page) == []
    screenshot(page, "repair-drawn")


def test_pick_a_digit_move_p_and_switch_a_model(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    expect(page.get_by_text("Current digit: test digit 7 #0")).to_be_visible()

    index = page.get_by_label(re.compile(r"^Index"))
    index.fill("5")
    index.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Current digit: test digit 7 #5")).to_be_visible()
    assert "index=5" in page.url

    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")  # 0.5 -> 0.7 in steps of 0.05
    wait_for_app(page, settle_ms=800)
    assert "p=0.7" in page.url

    page.get_by_text("Models", exact=True).first.click()
    picker = page.get_by_role("combobox", name="standard AE")
    picker.click()
    picker.fill("denoising_d500")
    picker.press("Enter")
    wait_for_app(page)
    expect(picker).to_have_value(re.compile("^denoising_d500"))
    assert app_exceptions(page) == []
    screenshot(page, "repair-models")


def test_paint_a_mask_and_repair_it(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    damage = page.get_by_role("combobox", name="Damage")
    damage.click()
    damage.fill("a mask you paint")
    damage.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Paint over part of the digit to damage it.")).to_be_visible()
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.3 * box["height"], steps=12)
    page.mouse.up()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Paint over part of the digit to damage it.")).to_have_count(0)
    expect(page.get_by_text("repair_resunet", exact=True).filter(visible=True).first).to_be_visible()
    expect(page.locator(METRICS_TABLE).first).to_be_visible()
    assert app_exceptions(page) == []
    screenshot(page, "repair-painted")


def test_upload_an_image_and_a_broken_file(app_server, browser_page, tmp_path):
    from PIL import Image, ImageDraw
    from playwright.sync_api import expect

    digit = Image.new("L", (120, 160), 255)  # dark ink on white paper, as a photo of a drawing would be
    ImageDraw.Draw(digit).line([(30, 30), (90, 30), (50, 140)], fill=0, width=12)
    digit.save(tmp_path / "seven.png")
    (tmp_path / "notes.png").write_bytes(b"this is not an image")

    page = browser_page
    page.goto(f"{app_server}/repair")
    wait_for_app(page)
    page.get_by_text("Upload", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tmp_path / "notes.png"))
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("notes.png:", exact=False).first).to_be_visible()
    assert app_exceptions(page) == []
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tmp_path / "seven.png"))
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("Current digit: seven.png")).to_be_visible()
    expect(page.locator(METRICS_TABLE).first).to_be_visible()
    assert app_exceptions(page) == []
