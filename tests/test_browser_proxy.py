"""Browser: two Streamlit replicas behind HAProxy, started by deploy/serve.py as `make serve` does.

Through the proxy, in Chromium: one session uploads a ~4 MB image of a digit, sees it repaired, trains a model
and finds it in its model picker; a second session lands on the other replica (the sticky cookie AE_REPLICA
says which) and sees none of the first one's models. The replicas share one folder of browser spaces (serve.py:
$AE_SESSION_MODELS_DIR), so the test also checks on disk that the model went into the first browser's space
(named by its AE_LAB_SPACE cookie, ui/space.py) and not into the second's.

Needs Debian's haproxy (`make test` installs it as root): without it the test skips loudly, or fails with
AE_REQUIRE_BROWSER=1 (CI), like the chromium check in tests/browser.py.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from deploy.serve import free_ports, haproxy_path, listening
from tests.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    METRICS_TABLE,
    REPO,
    SERVER_START_TIMEOUT_S,
    VIEWPORT,
    app_exceptions,
    find_in_repair_picker,
    require_chromium,
    require_executable,
    screenshot,
    train_a_short_model,
    wait_for_app,
)
from ui import space

pytestmark = pytest.mark.browser

COOKIE = "AE_REPLICA"  # deploy/haproxy.cfg's sticky cookie: its value names the replica (app1, app2)
MODEL = "proxy_model"
STOP_TIMEOUT_S = 30


def require_haproxy() -> str:
    """Return the haproxy path, or skip the test loudly (fail it if AE_REQUIRE_BROWSER=1)."""
    return require_executable(haproxy_path(), "PROXY BROWSER TEST", "run `make test` as root to install Debian "
                              "haproxy (or: sudo apt-get install -y haproxy)")


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`deploy/serve.py --replicas 2` on free ports: yields (the proxy's URL, the base folder of the replicas'
    session models). Stopping it with SIGTERM must stop every process it started."""
    require_chromium()
    haproxy = require_haproxy()
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_ports(3)
    models = tmp_path_factory.mktemp("replica-models")
    env = dict(os.environ, AE_SESSION_MODELS_DIR=str(models), AE_PROXY_LOG_LEVEL="info")  # info: every request
    env.pop("AE_CHECKPOINT_DIR", None)  # the repository's own checkpoints/, as in tests/browser.py
    log_path = ARTIFACTS / "proxy-serve.log"
    cmd = [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port), "--haproxy", haproxy]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group, to clean up if it hangs
    try:
        deadline = time.monotonic() + 2 * SERVER_START_TIMEOUT_S  # two replicas start on two busy cores
        while not listening("127.0.0.1", port):
            if proc.poll() is not None:
                pytest.fail(f"deploy/serve.py exited with code {proc.returncode}; log {log_path}:\n"
                            f"{log_path.read_text()[-3000:]}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"the proxy was not listening after {2 * SERVER_START_TIMEOUT_S} s; log {log_path}",
                            pytrace=False)
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", models
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"deploy/serve.py did not stop within {STOP_TIMEOUT_S} s of SIGTERM", pytrace=False)
        left = [p for p in range(port, port + 3) if listening("127.0.0.1", p)]
        if code != 0 or left:
            pytest.fail(f"after SIGTERM deploy/serve.py exited with {code}, ports still open: {left}; "
                        f"log {log_path}", pytrace=False)


def big_digit_png(path: Path) -> Path:
    """A 1500x1500 RGB PNG of a dark 7 on light noisy paper: noise barely compresses, so the file is ~4 MB
    (under the app's 5 MB and 4096x4096 limits), and the noise stays below the ink threshold of
    ae_core.preprocess, so the app still reads one clean digit."""
    from PIL import Image, ImageDraw

    side = 1500
    paper = np.random.default_rng(0).integers(232, 256, (side, side, 3), dtype=np.uint8)  # (H, W, 3)
    image = Image.fromarray(paper, "RGB")
    ImageDraw.Draw(image).line([(0.25 * side, 0.2 * side), (0.75 * side, 0.2 * side), (0.45 * side, 0.85 * side)],
                               fill=(20, 20, 20), width=int(0.08 * side), joint="curve")
    image.save(path)
    assert 3_500_000 < path.stat().st_size < 4_500_000, path.stat().st_size
    return path


def _space(context, models: Path) -> Path:
    """The folder of this browser context's space under the replicas' `models`, from its AE_LAB_SPACE cookie."""
    [token] = [c["value"] for c in context.cookies() if c["name"] == space.COOKIE]
    return models / space.folder_for(token).name


def _replica(context) -> str:
    """The replica the proxy pinned this browser to, from its sticky cookie."""
    return {c["name"]: c["value"] for c in context.cookies()}[COOKIE]


def _open(context, url: str):
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    wait_for_app(page)
    return page


def test_two_browsers_two_replicas_upload_repair_train(two_replicas, playwright_sync, tmp_path):
    from playwright.sync_api import expect

    url, models = two_replicas
    image = big_digit_png(tmp_path / "big-seven.png")
    browser = playwright_sync.chromium.launch(executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS)
    try:
        # Two browser contexts: two cookie jars, so two new clients for the proxy, one after the other.
        first, second = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
        page = _open(first, f"{url}/repair")
        other = _open(second, f"{url}/repair")
        assert (_replica(first), _replica(second)) == ("app1", "app2")  # round robin on a fresh proxy

        # The first browser uploads a ~4 MB digit (through the proxy, to its replica) and gets it repaired.
        page.get_by_text("Upload", exact=True).click()
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(image))
        wait_for_app(page, settle_ms=800)
        expect(page.get_by_text(f"Current digit: {image.name}", exact=True)).to_be_visible()
        expect(page.locator('[data-testid="stAlert"]').filter(has_text=f"{image.name}:")).to_have_count(0)
        expect(page.locator(METRICS_TABLE).first).to_be_visible()
        expect(page.get_by_text("Navier-Stokes", exact=True).filter(visible=True).first).to_be_visible()
        assert app_exceptions(page) == []
        screenshot(page, "proxy-upload-repaired")

        # Then trains a model (1 epoch on 1,000 digits) on the Train page, in the same session.
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Train your own").click()
        wait_for_app(page)
        train_a_short_model(page, MODEL)

        # Back on Repair: still the uploaded digit (same session, same process), and the new model is offered.
        page.get_by_role("link", name="Repair").filter(visible=True).last.click()
        expect(page.get_by_text(f"Current digit: {image.name}", exact=True)).to_be_visible()
        wait_for_app(page, settle_ms=0)  # Repair's run has begun (its text is there): wait for its end
        picker, options = find_in_repair_picker(page, MODEL)
        expect(options).to_have_count(1)
        picker.press("Enter")
        wait_for_app(page)
        expect(picker).to_have_value(re.compile(f"^{MODEL} .*yours"))
        assert app_exceptions(page) == []
        screenshot(page, "proxy-model-in-repair")
        assert _replica(first) == "app1"  # still pinned after an upload, a training and page switches
        trained = f"trained/{MODEL}/{MODEL}.json"
        assert (_space(first, models) / trained).is_file(), "the model is not in the first browser's space"
        assert not (_space(second, models) / trained).exists(), "the model is in the other browser's space"

        # The second browser, on the other replica, sees none of it.
        _, options = find_in_repair_picker(other, MODEL)
        expect(other.get_by_text("No results", exact=True)).to_be_visible()
        expect(options).to_have_count(0)
        other.keyboard.press("Escape")
        other.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Train your own").click()
        wait_for_app(other)
        expect(other.get_by_role("button", name="Start training")).to_be_visible()
        expect(other.get_by_text(MODEL, exact=True)).to_have_count(0)
        assert app_exceptions(other) == []
        assert _replica(second) == "app2"
        screenshot(other, "proxy-other-session")
    finally:
        browser.close()
