"""Browser: train a small model live on the Train page, watch it finish with its loss curve, then find it
in the Repair page's model picker."""

import pytest

from tests.browser import app_exceptions, screenshot, slider_to_minimum, wait_for_app

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT_MS = 120_000


def test_train_a_model_live_and_use_it_on_repair(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/train")
    wait_for_app(page)
    slider_to_minimum(page, "Epochs")  # 1 epoch
    slider_to_minimum(page, "Training digits")  # 1,000 digits
    name = page.get_by_role("textbox", name="Name")
    name.fill("browser model")
    name.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_role("heading", name="Training browser_model")).to_be_visible()

    models = page.get_by_role("heading", name="Your models")
    expect(models).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(page.get_by_text("browser_model", exact=True)).to_be_visible()
    expect(page.get_by_text("done", exact=True)).to_be_visible()
    expect(page.get_by_text("Test PSNR: clean")).to_be_visible()
    expect(page.get_by_role("button", name="Download checkpoint")).to_be_visible()
    page.get_by_text("Loss curve", exact=True).click()
    curve = page.locator(".js-plotly-plot").filter(visible=True)
    expect(curve).to_have_count(1)
    expect(curve.locator(".scatterlayer .trace")).to_have_count(2)  # the batches and the epoch means
    assert app_exceptions(page) == []
    screenshot(page, "train-done")

    page.get_by_role("link", name="Repair").filter(visible=True).last.click()
    wait_for_app(page)
    page.get_by_text("Models", exact=True).click()
    picker = page.get_by_role("combobox", name="standard AE")
    picker.click()
    picker.press("ArrowDown")
    page.wait_for_timeout(1000)
    picker.fill("browser_model")
    picker.press("Enter")
    wait_for_app(page)
    expect(picker).to_have_value("browser_model (linear, d=30, trained on none, yours)")
    assert app_exceptions(page) == []
    screenshot(page, "train-model-in-repair")
