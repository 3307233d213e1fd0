"""Browser: a ?lang=tr link opens Repair in Turkish; the language survives a page switch and Repair's reset; a
language switch keeps the digit and the settings."""

import re

import pytest

from tests.browser import app_exceptions, image_src, screenshot, wait_for_app
from ui import i18n

pytestmark = pytest.mark.browser


def tr(message: str) -> str:
    return i18n.catalogue("tr").gettext(message)


def choose_language(page, name: str) -> None:
    """Pick a language by its name in the sidebar's language selectbox."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app(page, settle_ms=800)


def test_a_turkish_link_opens_repair_in_turkish(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair?lang=tr")
    wait_for_app(page)
    assert tr("Damage") != "Damage"
    expect(page.get_by_role("heading", name=tr("Repair"), exact=True)).to_be_visible()
    expect(page.get_by_text(tr("Damage"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=tr("Reset to the defaults"))).to_be_visible()
    expect(page.get_by_role("slider", name=tr("p, the fraction of pixels dropped"))).to_be_visible()
    expect(page.get_by_text("Damage", exact=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.lang") == "tr"
    screenshot(page, "i18n-repair-tr")
    assert app_exceptions(page) == []

    # The sidebar's menu is in Turkish too; a page switch keeps the language, in the page and the URL.
    page.locator('[data-testid="stSidebarNav"]').get_by_text(tr("Compress"), exact=True).click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_role("heading", name=tr("Compress"), exact=True)).to_be_visible()
    assert "lang=tr" in page.url

    # Back to Repair and reset it: the setup goes back to the defaults, the language stays.
    page.locator('[data-testid="stSidebarNav"]').get_by_text(tr("Repair"), exact=True).click()
    wait_for_app(page, settle_ms=800)
    page.get_by_role("button", name=tr("Reset to the defaults")).click()
    wait_for_app(page, settle_ms=800)
    expect(page.get_by_text(tr("Damage"), exact=True)).to_be_visible()
    assert "lang=tr" in page.url
    assert app_exceptions(page) == []


def test_switching_the_language_keeps_the_digit_and_the_settings(app_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{app_server}/repair?class=3&index=4&p=0.3&seed=5")
    wait_for_app(page)
    original = image_src(page, "original")
    p_value = page.get_by_test_id("stSliderThumbValue").first
    expect(p_value).to_have_text(re.compile(r"^0\.30?$"))

    choose_language(page, "Türkçe")
    expect(page.get_by_role("heading", name=tr("Repair"), exact=True)).to_be_visible()
    assert re.search(r"[?&]lang=tr\b", page.url)
    for setting in ("class=3", "index=4", "p=0.3", "seed=5"):
        assert setting in page.url
    assert image_src(page, tr("original")) == original  # the same digit, now captioned in Turkish
    expect(page.get_by_role("slider", name=tr("p, the fraction of pixels dropped"))).to_be_visible()
    expect(p_value).to_have_text(re.compile(r"^0\.30?$"))  # Streamlit's slider formats with printf: a point

    choose_language(page, "English")
    expect(page.get_by_role("heading", name="Repair", exact=True)).to_be_visible()
    assert image_src(page, "original") == original
    expect(p_value).to_have_text(re.compile(r"^0\.30?$"))
    assert "lang=" not in page.url  # English, the default, leaves the URL clean
    assert app_exceptions(page) == []
