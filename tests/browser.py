"""Browser-test fixtures: the real app served by Streamlit, driven by Playwright in Debian's chromium.

Not a conftest: tests/conftest.py imports the fixtures from here with
    from tests.browser import app_server, browser_page, playwright_sync  # noqa: F401
and tests use them as
    page = browser_page; page.goto(app_server); wait_for_app(page); screenshot(page, "home")

Chromium comes from Debian (`make test` installs it as root), never from `playwright install`.
Without it the browser tests skip with a loud reason; with AE_REQUIRE_BROWSER=1 (CI) they fail instead.
AE_CHROMIUM overrides the browser path (default /usr/bin/chromium).
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"  # screenshots and the server log (git-ignored)
CHROMIUM_ENV = "AE_CHROMIUM"
REQUIRE_ENV = "AE_REQUIRE_BROWSER"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps dialling out into this machine's closed network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}
SERVER_START_TIMEOUT_S = 60
APP_RUN_TIMEOUT_MS = 60_000
EXPECT_TIMEOUT_MS = 20_000
METRICS_TABLE = '[data-testid="stMarkdownContainer"] table'  # Repair's metrics (a Markdown table)


def chromium_path() -> str:
    """The chromium executable the tests drive: $AE_CHROMIUM, else /usr/bin/chromium."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def require_executable(path: str, tests: str, install: str) -> str:
    """Return `path` if it is an executable, else skip `tests` loudly, saying how to `install` it (fail them
    instead if AE_REQUIRE_BROWSER=1)."""
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    why = f"{path} not found; {install}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{tests} FAILED ({REQUIRE_ENV}=1): {why}", pytrace=False)
    pytest.skip(f"{tests} SKIPPED: {why}")


def require_chromium() -> str:
    """Return the chromium path, or skip the test loudly (fail it if AE_REQUIRE_BROWSER=1)."""
    return require_executable(chromium_path(), "BROWSER TESTS", "run `make test` as root to install Debian chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serve_app(port: int, session_models: Path, log_path: Path) -> Iterator[str]:
    """Serve the real app.py on `port` until the block ends; yields the base URL once it answers. Models
    trained or uploaded in the browser go to `session_models`."""
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("AE_CHECKPOINT_DIR", None)  # the browser tests check the repository's own checkpoints/
    env["AE_SESSION_MODELS_DIR"] = str(session_models)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",  # sys.executable: .venv's python
           "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _health_ok(f"{base_url}/_stcore/health"):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before answering; "
                            f"log {log_path}:\n{_tail(log_path)}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {base_url}/_stcore/health within "
                            f"{SERVER_START_TIMEOUT_S} s; log {log_path}:\n{_tail(log_path)}", pytrace=False)
            time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[str]:
    """Serve the real app.py on a free port for the whole session; yields the base URL. Models trained
    on the Train page go to a temporary folder of the test session's own."""
    require_chromium()  # no browser, no point in starting the server
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_app(free_port(), tmp_path_factory.mktemp("session-models"),
                   ARTIFACTS / "streamlit-server.log") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright_sync():
    """One Playwright driver (sync API) for the session; browser_page launches chromium from it.

    `expect` waits up to EXPECT_TIMEOUT_MS instead of Playwright's 5 s: a page's first run loads torch and
    its models, which on a busy 2-core machine (a training in the background) can take longer."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium_browser(playwright_sync):
    """One chromium for the tests that open their own contexts (a phone's size, a touchscreen)."""
    browser = playwright_sync.chromium.launch(executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_page(playwright_sync, tmp_path):
    """A fresh chromium (new empty profile) with one 1280x900 page; closed after the test."""
    executable = require_chromium()
    context = playwright_sync.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=executable, headless=True,
        args=CHROMIUM_ARGS, viewport=VIEWPORT)
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def wait_for_app(page, timeout_ms: int = APP_RUN_TIMEOUT_MS, settle_ms: int = 250) -> None:
    """Wait until Streamlit is connected and has finished running the script (or a rerun).

    Same approach as Streamlit's own e2e tests: the stApp element carries data-test-connection-state
    and data-test-script-state ("initial" -> "running" -> "notRunning"). settle_ms first gives a rerun
    that an interaction just triggered (widgets debounce) time to start.
    """
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                           state="attached", timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached", timeout=timeout_ms)


def app_exceptions(page) -> list[str]:
    """Texts of the tracebacks (st.exception boxes) the app shows; [] when it ran cleanly."""
    return page.locator('[data-testid="stException"]').all_inner_texts()


def image_src(page, caption: str) -> str:
    """The URL of the image captioned exactly `caption`: a data URL of the picture's PNG (ui.images), so the
    same URL means the same picture."""
    # Each picture of a row (one st.image call) sits with its caption in an stImageContainer of its own.
    image = page.locator('[data-testid="stImageContainer"]').filter(has=page.get_by_text(caption, exact=True))
    return image.locator("img").first.get_attribute("src")


def slider_to_minimum(page, slider_name: str) -> None:
    """Move the slider labelled `slider_name` to its minimum, with the keyboard, and wait for the rerun."""
    slider = page.get_by_role("slider", name=slider_name)
    slider.focus()
    slider.press("Home")
    wait_for_app(page, settle_ms=500)


def train_a_short_model(page, name: str, timeout_ms: int = 120_000) -> None:
    """On the Train page: train one epoch on 1,000 digits under `name`, and wait until it is done."""
    from playwright.sync_api import expect

    slider_to_minimum(page, "Epochs")
    slider_to_minimum(page, "Training digits")
    textbox = page.get_by_role("textbox", name="Name")
    textbox.fill(name)
    textbox.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_role("heading", name="Your models")).to_be_visible(timeout=timeout_ms)
    expect(page.get_by_text("done", exact=True)).to_be_visible()


def find_in_repair_picker(page, name: str):
    """Open the Repair page's Models expander and type `name` into its "standard AE" picker; returns (picker,
    the options listed that start with `name`).

    Waits for the expander to finish opening first: a list opened while it still animates can close again
    at once, and then nothing is listed at all."""
    from playwright.sync_api import expect

    expander = page.locator('[data-testid="stExpander"]').filter(has=page.get_by_text("Models", exact=True))
    expander.get_by_text("Models", exact=True).click()
    page.wait_for_function("e => e.getAnimations({subtree: true}).every(a => a.playState !== 'running')",
                           arg=expander.element_handle())
    picker = expander.get_by_role("combobox", name="standard AE")
    picker.click()
    picker.fill(name)
    expect(page.get_by_role("listbox")).to_be_visible()
    return picker, page.get_by_role("option", name=re.compile(f"^{re.escape(name)}"))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
