"""Browser: every page opens from the menu without an error; scrub α on Interpolate; Kernels draws its grids."""

import pytest

from tests.browser import app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PAGES = {"Home": "AE Lab", "Generate": "Generate", "Interpolate": "Interpolate", "Transformations": "Transformations",
         "Super-resolution": "Super-resolution", "Repair": "Repair", "Compress": "Compress",
         "Toy manifolds": "Toy manifolds", "Kernels": "Kernels", "Latent map": "Latent map",
         "Anomaly score": "Anomaly score", "Benchmarks": "Benchmarks", "Train your own": "Train your own"}


def test_every_page_opens_from_the_menu(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(app_server)
    wait_for_app(page)
    for link, heading in PAGES.items():
        page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert app_exceptions(page) == [], link
        screenshot(page, f"page-{link.lower()}")


def test_scrub_alpha_on_interpolate(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/interpolate")
    wait_for_app(page)
    expect(page.get_by_text("pixel space, α=0.50")).to_be_visible()
    slider = page.get_by_role("slider", name="α, from A (0) to B (1)")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("pixel space, α=0.65")).to_be_visible()
    expect(page.get_by_text("latent space (standard_d30), α=0.65")).to_be_visible()
    assert app_exceptions(page) == []
    screenshot(page, "interpolate-scrubbed")


def test_kernels_draws_both_grids(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/kernels")
    wait_for_app(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible()
    expect(charts.nth(1)).to_be_visible()  # the standard and the denoising AE's grids (drawn one after the other)
    assert app_exceptions(page) == []


def test_benchmarks_shows_curves_and_measures_a_model(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/benchmarks")
    wait_for_app(page)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    page.get_by_role("button", name="Evaluate").click()
    wait_for_app(page, settle_ms=500)
    expect(page.get_by_text("Whole-image PSNR (dB) on lecture dropout, first 500 test digits:")).to_be_visible()
    assert app_exceptions(page) == []
    screenshot(page, "benchmarks-measured")


def test_latent_map_decodes_a_clicked_point(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/latent")
    wait_for_app(page)
    expect(page.get_by_text("your digit's point, decoded", exact=False)).to_be_visible()
    plot = page.locator('[data-testid="stPlotlyChart"] .nsewdrag').first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.4 * box["height"])
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text("decoded at (", exact=False)).to_be_visible()
    assert app_exceptions(page) == []
    screenshot(page, "latent-clicked")


def test_anomaly_score_changes_with_the_digit(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/anomaly")
    wait_for_app(page)
    verdict = page.get_by_text("more unusual than", exact=False)
    expect(verdict).to_be_visible()
    before = verdict.inner_text()
    page.get_by_label("Class").click()
    page.get_by_label("Class").fill("1")
    page.get_by_label("Class").press("Enter")
    wait_for_app(page, settle_ms=500)
    expect(verdict).not_to_have_text(before)
    assert app_exceptions(page) == []
    screenshot(page, "anomaly")


def test_toy_manifolds_trains_three_models(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/toy")
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()
    wait_for_app(page, settle_ms=500)
    expect(page.locator('[data-testid="stPlotlyChart"]').nth(2)).to_be_visible()
    assert app_exceptions(page) == []
    screenshot(page, "toy-trained")
