"""What a user waits for in the real app, measured in Debian's chromium driven by Playwright.

1. Startup (target: median <= 6 s): from starting `streamlit run app.py --server.headless true --server.port P`
   (what `make run` runs, with a free port) until Chromium shows the Home page: the h1 "AE Lab" visible, the
   model table rendered and the script finished. A fresh server (and browser context) each run; the browser
   itself is launched beforehand, as a user's would be.
2. Canvas stroke -> updated grid (target: median <= 600 ms): on /repair with the "Draw" source, a base 7 is
   drawn once; then each timed stroke adds a short tick at a different place. Timed in the page, from the
   stroke's pointerup to the moment the "best model" image shows a new, loaded picture and the rerun has
   finished. The tick is then undone (untimed) so every stroke starts from the same 7.

`--compare REV` measures REV first (a temporary `git worktree --detach` of it, removed afterwards, served by
this venv) and then the working tree, one after the other with the same settings in the same browser, and
reports them side by side with the ratio now/REV of each median.

    .venv/bin/python bench/app_latency.py [--runs 5] [--strokes 15]
    .venv/bin/python bench/app_latency.py --compare db1baad --out bench/results/app_latency_compare.json

Writes bench/results/app_latency.json (or `--out`). Needs /usr/bin/chromium (or $AE_CHROMIUM); never
`playwright install`.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: tests/ lives at the repository root

from bench.checkout import git, working_tree, worktree  # noqa: E402
from tests.browser import CHROMIUM_ARGS, VIEWPORT, chromium_path, wait_for_app  # noqa: E402

RESULTS = REPO / "bench" / "results" / "app_latency.json"
SERVER_LOG = REPO / "bench" / "results" / "app_latency-server.log.tmp"
STARTUP_TARGET_S = 6.0
STROKE_TARGET_MS = 600.0
TIMEOUT_MS = 60_000

# The Home page is up: script finished, h1 "AE Lab" visible, the model table rendered.
HOME_READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = [...document.querySelectorAll('h1')].find(h => h.innerText.trim() === 'AE Lab');
  return !!(app && app.dataset.testScriptState === 'notRunning' && h1 && h1.offsetParent !== null
            && document.querySelector('[data-testid="stTable"] table'));
}"""
# The <img> captioned `caption` (null if absent). Its caption, not its stImage box: an st.image call with a list
# (one per row of pictures, as the Repair grid is now) puts every picture and caption in one stImage box, each
# picture with its caption in an stImageContainer of its own; a single picture has the same container.
FIND_IMAGE_JS = """(caption) => {
  const label = [...document.querySelectorAll('[data-testid="stImageCaption"]')]
    .find(e => e.innerText.trim() === caption);
  const box = label && (label.closest('[data-testid="stImageContainer"]') || label.closest('[data-testid="stImage"]'));
  return box ? box.querySelector('img') : null;
}"""
# The src of the image captioned `caption` (null if absent): a data URL or a media URL, one per picture either way.
IMAGE_SRC_JS = f"""(caption) => {{
  const img = ({FIND_IMAGE_JS})(caption);
  return img ? img.getAttribute('src') : null;
}}"""
# True (and window.__aeDone stamped once) when the image shows a new, loaded picture and the rerun is over.
IMAGE_UPDATED_JS = f"""([caption, before]) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  const img = ({FIND_IMAGE_JS})(caption);
  const done = !!(img && img.getAttribute('src') !== before && img.complete && img.naturalWidth > 0
                  && app.dataset.testScriptState === 'notRunning');
  if (done && window.__aeDone === undefined) window.__aeDone = performance.now();
  return done;
}}"""
# Stamp the stroke's end (capture phase, before Fabric sees it).
ARM_JS = """() => {
  window.__aeUp = undefined; window.__aeDone = undefined;
  window.addEventListener('pointerup', () => { window.__aeUp = performance.now(); }, {capture: true, once: true});
}"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, app_dir: Path = REPO) -> subprocess.Popen:
    """`make run`'s command, headless, on `port`, serving the checkout `app_dir` (another one, e.g. a worktree of
    an older commit, runs on this venv); its output goes to SERVER_LOG."""
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(REPO / ".venv" / "bin" / "streamlit"), "run", "app.py", "--server.headless", "true",
           "--server.port", str(port)]
    with open(SERVER_LOG, "a") as log:
        return subprocess.Popen(cmd, cwd=app_dir, stdout=log, stderr=subprocess.STDOUT)


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server (kill it if it lingers)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_healthy(port: int, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    """Poll /_stcore/health every 50 ms until it answers "ok"."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}; see {SERVER_LOG}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout_s} s")


def measure_startup(browser, runs: int, app_dir: Path = REPO) -> list[dict]:
    """Per run: seconds from process start to a healthy server and to the rendered Home page."""
    results = []
    for run in range(runs):
        port = free_port()
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        start = time.perf_counter()
        proc = start_server(port, app_dir)
        try:
            wait_healthy(port, proc)
            healthy = time.perf_counter() - start
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function(HOME_READY_JS, polling="raf", timeout=TIMEOUT_MS)
            rendered = time.perf_counter() - start
        finally:
            context.close()
            stop_server(proc)
        results.append({"server_healthy_s": round(healthy, 3), "home_rendered_s": round(rendered, 3)})
        print(f"  startup run {run + 1}/{runs}: healthy {healthy:.2f} s, Home rendered {rendered:.2f} s")
    return results


def stroke(page, box: dict, points: list[tuple[float, float]]) -> None:
    """Draw a polyline on the canvas; points are fractions of its width and height."""
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=8)
    page.mouse.up()


def wait_for_image(page, caption: str, src: str, changed: bool) -> None:
    """Wait until the captioned image's src differs from (changed) or equals `src`, the rerun finished."""
    check = IMAGE_UPDATED_JS if changed else f"([c, s]) => ({IMAGE_SRC_JS})(c) === s"
    page.wait_for_function(check, arg=[caption, src], polling="raf", timeout=TIMEOUT_MS)
    wait_for_app(page, settle_ms=0)


def measure_strokes(browser, strokes: int, app_dir: Path = REPO, caption: str = "best model") -> tuple[list, str]:
    """Milliseconds from each stroke's pointerup to the updated results grid on /repair (Draw source), and what
    the image's src is: a data URL (one per picture) or, in older commits, a media URL (one per picture,
    fetched); either way a new picture is a new src, and a loaded one is `complete` with a width."""
    port = free_port()
    proc = start_server(port, app_dir)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        wait_healthy(port, proc)
        page.goto(f"http://127.0.0.1:{port}/repair")
        wait_for_app(page)
        page.get_by_text("Draw", exact=True).click()
        wait_for_app(page)
        canvas = page.locator("canvas.upper-canvas").first
        canvas.wait_for(state="visible")
        box = canvas.bounding_box()
        mnist_src = page.evaluate(IMAGE_SRC_JS, caption)
        stroke(page, box, [(0.25, 0.22), (0.75, 0.22), (0.45, 0.85)])  # the base 7, untimed
        wait_for_image(page, caption, mnist_src, changed=True)
        base_src = page.evaluate(IMAGE_SRC_JS, caption)
        src_kind = base_src.split(",")[0] if base_src.startswith("data:") else \
            f"{urlsplit(base_src).path.rsplit('/', 1)[0]}/... (fetched)"
        print(f"  {caption!r} image: {src_kind}")
        undo = page.get_by_role("button", name="Undo")
        times = []
        for i in range(strokes):
            fx, fy = 0.15 + 0.6 * (i % 5) / 4, 0.35 + 0.12 * (i // 5)  # a tick somewhere new each time
            page.evaluate(ARM_JS)
            stroke(page, box, [(fx, fy), (fx + 0.1, fy + 0.05)])
            wait_for_image(page, caption, base_src, changed=True)
            up, done = page.evaluate("() => [window.__aeUp, window.__aeDone]")
            times.append(round(done - up, 1))
            print(f"  stroke {i + 1}/{strokes}: {times[-1]:.0f} ms")
            undo.click()  # back to the base 7, untimed
            wait_for_image(page, caption, base_src, changed=False)
    finally:
        context.close()
        stop_server(proc)
    return times, src_kind


def measure(browser, args, app_dir: Path = REPO) -> dict:
    """Startup and stroke figures of the app in `app_dir`, as the results keep them."""
    print(f"startup, {args.runs} runs:")
    startup = measure_startup(browser, args.runs, app_dir)
    print(f"canvas strokes, {args.strokes}:")
    strokes_ms, src_kind = measure_strokes(browser, args.strokes, app_dir)
    startup_s = [r["home_rendered_s"] for r in startup]
    startup_median = statistics.median(startup_s)
    stroke_median = statistics.median(strokes_ms)
    stroke_p90 = statistics.quantiles(strokes_ms, n=10, method="inclusive")[-1] if len(strokes_ms) > 1 \
        else strokes_ms[0]
    return {
        "startup": {"what": "process start -> Home h1 and model table rendered, script notRunning",
                    "runs": startup, "values_s": startup_s, "median_s": round(startup_median, 3),
                    "median_server_healthy_s": round(statistics.median(r["server_healthy_s"] for r in startup), 3),
                    "target_s": STARTUP_TARGET_S, "pass": startup_median <= STARTUP_TARGET_S},
        "stroke": {"what": "pointerup -> 'best model' image updated and loaded, script notRunning (/repair, Draw)",
                   "image_src": src_kind, "values_ms": strokes_ms, "median_ms": round(stroke_median, 1),
                   "p90_ms": round(stroke_p90, 1),
                   "target_ms": STROKE_TARGET_MS, "pass": stroke_median <= STROKE_TARGET_MS},
    }


def verdict(figures: dict) -> str:
    """The two summary lines of one measurement, with PASS or FAIL against the targets."""
    startup, stroke = figures["startup"], figures["stroke"]
    words = {True: "PASS", False: "FAIL"}
    return (f"startup: median {startup['median_s']:.2f} s over {len(startup['values_s'])} runs "
            f"(target <= {STARTUP_TARGET_S:g} s) {words[startup['pass']]}\n"
            f"stroke -> grid: median {stroke['median_ms']:.0f} ms, p90 {stroke['p90_ms']:.0f} ms over "
            f"{len(stroke['values_ms'])} strokes (target <= {STROKE_TARGET_MS:g} ms) {words[stroke['pass']]}")


def compare(browser, args) -> dict:
    """REV (from a temporary worktree), then the working tree, same settings and browser; both and now/REV."""
    variants = []
    with worktree(args.compare) as (label, commit, tree):
        print(f"== {label}")
        variants.append({"label": label, "commit": commit, **measure(browser, args, tree)})
    label = working_tree()
    print(f"== {label}")
    variants.append({"label": label, "commit": git("rev-parse", "--short", "HEAD"), **measure(browser, args)})
    then, now = variants
    ratio = {"startup_median": round(now["startup"]["median_s"] / then["startup"]["median_s"], 3),
             "stroke_median": round(now["stroke"]["median_ms"] / then["stroke"]["median_ms"], 3)}
    return {"variants": variants, "now_over_rev": ratio}


def side_by_side(result: dict) -> str:
    """A Markdown table: REV and the working tree in columns, then now/REV for the medians."""
    then, now = result["variants"]
    ratio = result["now_over_rev"]
    rows = [("startup median (s)", lambda v: f"{v['startup']['median_s']:.2f}", ratio["startup_median"]),
            ("server healthy median (s)", lambda v: f"{v['startup']['median_server_healthy_s']:.2f}", None),
            ("stroke -> grid median (ms)", lambda v: f"{v['stroke']['median_ms']:.0f}", ratio["stroke_median"]),
            ("stroke -> grid p90 (ms)", lambda v: f"{v['stroke']['p90_ms']:.0f}", None)]
    lines = [f"| | {then['label']} | {now['label']} | now/REV |", "|---|---:|---:|---:|"]
    lines += [f"| {what} | {cell(then)} | {cell(now)} | {'' if r is None else f'{r:.2f}'} |" for what, cell, r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time the app's startup and a canvas stroke's round trip.")
    parser.add_argument("--runs", type=int, default=5, help="fresh-server startups to time (default 5)")
    parser.add_argument("--strokes", type=int, default=15, help="canvas strokes to time (default 15)")
    parser.add_argument("--compare", metavar="REV", help="measure REV (a temporary git worktree), then the working "
                                                         "tree, and report both with now/REV (default: off)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON (default "
                                                                  "bench/results/app_latency.json)")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    SERVER_LOG.unlink(missing_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            chromium = browser.version
            figures = compare(browser, args) if args.compare else measure(browser, args)
        finally:
            browser.close()

    env = {k: os.path.relpath(v, REPO) if os.path.isabs(v) else v  # no path of this machine in the results
           for k, v in os.environ.items() if k.startswith(("OMP_", "STREAMLIT_", "AE_"))}
    result = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "loadavg_1_5_15_before": [round(v, 2) for v in load_before],
                    "chromium": chromium, "env": env},
        **({"compare": args.compare} if args.compare else {}),
        **figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    if args.compare:
        for variant in figures["variants"]:
            print(f"{variant['label']}:\n{verdict(variant)}")
        print(side_by_side(figures))
    else:
        print(verdict(figures))
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
