"""Browser: the real app's home page shows the title and every shipped model card, in Chromium."""

import pytest

from ae_core import checkpoint
from tests.browser import REPO, app_exceptions, screenshot, wait_for_app

pytestmark = pytest.mark.browser

CARDS = checkpoint.list_checkpoints(REPO / "checkpoints")  # model cards only, not *.anomaly.json etc.


def test_home_shows_title_and_every_model_card(app_server, browser_page):
    from playwright.sync_api import expect

    assert CARDS, "checkpoints/ holds no model card (*.json)"
    page = browser_page
    page.goto(app_server)
    wait_for_app(page)
    screenshot(page, "home")
    assert app_exceptions(page) == []
    expect(page.get_by_role("heading", level=1, name="AE Lab")).to_be_visible()
    for name in CARDS:
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
