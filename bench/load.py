"""Many users at once: concurrent Repair sessions in one Chromium against the real app on one CPU core.

The server (`streamlit run app.py`, headless, a free port, AE_DATA_DIR=../shared/mnist when it exists) is
pinned to core 0 and this script, Playwright's driver and the Chromium it launches to core 1. Then:

1. `--sessions` browser contexts (default 20) open /repair, each at its own digit and seed, all at once.
2. For `--seconds` (default 60) each session repeats what a user does, pausing `--think` seconds (+-50%)
   between updates: move the dropout p slider one step with the keyboard (half the time), press "New noise"
   or step the MNIST index up or down. An update's latency is timed in the page, from the keydown or click
   to the moment the rerun is over (script state notRunning, nothing stale), the "damaged" image shows a
   new picture and every result image has loaded.
3. Meanwhile (`--train`, on by default) one more session presses "Start training" on /train (its defaults)
   and follows the progress bar. Without that page or button within 20 s the run warns loudly and goes on
   without it ("training": "unavailable").

Recorded in bench/results/load.json: updates and their latency (p50/p95/max, per action, per 10 s), errors
(tracebacks on the page, timeouts, console errors, uncaught page errors, websocket disconnects; target 0),
what the server logged, its memory (VmRSS of the server and its children, sampled every second: start,
after the first loads, peak, end, after the sessions closed), and CPU: each core's load, the server's and
the client's share, and the CPU one update costs on each side. Every update and error, timed, goes to
bench/results/load-events.tmp and the server's log to bench/results/load-server.log.tmp.

Read the latencies with the CPU figures: rendering an update costs Chromium several times the server's CPU,
so one client core saturates long before the server's does ("client_bound"), and other processes on this
machine are not pinned. `--think 5` is a classroom's pace; the default 0.5 s is a stress test.

    .venv/bin/python bench/load.py                 # 20 sessions for 60 s, plus a training session
    .venv/bin/python bench/load.py --quick         # 5 sessions for 10 s: a smoke test
    .venv/bin/python bench/load.py --sessions 30 --seconds 120 --think 5 --no-train

Needs /usr/bin/chromium (or $AE_CHROMIUM) and cores 0 and 1; never `playwright install`.
"""

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: tests/ and bench/ live at the repository root

from bench.app_latency import free_port, stop_server, wait_healthy  # noqa: E402
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, METRICS_TABLE, VIEWPORT, chromium_path  # noqa: E402

RESULTS = REPO / "bench" / "results" / "load.json"
SERVER_LOG = REPO / "bench" / "results" / "load-server.log.tmp"
EVENTS = REPO / "bench" / "results" / "load-events.tmp"  # every update and error, one JSON object a line
SERVER_CORE, CLIENT_CORE = 0, 1
# Many pages share one client core: keep Chromium from throttling the timers of pages it deems hidden.
BROWSER_ARGS = CHROMIUM_ARGS + ["--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                                "--disable-backgrounding-occluded-windows"]
LOAD_TIMEOUT_MS = 300_000  # first page load, all sessions at once on one client core
TRAIN_PATH, TRAIN_PAGE_TIMEOUT_MS = "/train", 20_000  # the Train page and how long to look for its button
ACTIONS = {"p": 0.5, "new noise": 0.25, "index": 0.25}  # how often each update is made
P_RANGE = (0.3, 0.7)  # the slider wanders within this range
EXCEPTION = '[data-testid="stException"]'
SETTLE_S = 3  # after the first loads, before the load: let Chromium finish drawing them

# Arm one update: window.__ae becomes a promise of {start, done, exceptions} (performance.now() of the user's
# keydown or click, and of the moment the update is on screen) or {timeout: what was still missing}. The
# update is on screen when the rerun is over (script state notRunning, nothing stale), "damaged" shows a new
# picture and every result image has loaded. Checked on every DOM change and image load, no polling.
ARM_JS = """(timeoutMs) => {
  const images = () => [...document.querySelectorAll('[data-testid="stImageContainer"]')];  // one per picture
  const damagedSrc = () => {
    const box = images().find(e => e.textContent.trim() === 'damaged');
    return box ? box.querySelector('img').getAttribute('src') : null;
  };
  const before = damagedSrc(), stop = new AbortController();
  let start;
  window.__ae = new Promise(resolve => {
    const finish = (outcome) => { observer.disconnect(); stop.abort(); clearTimeout(timer); resolve(outcome); };
    const check = () => {
      if (start === undefined) return;
      // No need to see "running": React may batch a quick rerun's running and notRunning into one render.
      const app = document.querySelector('[data-testid="stApp"]');
      const state = app.dataset.testScriptState, stale = document.querySelectorAll('[data-stale="true"]').length;
      const src = damagedSrc(), pending = images().map(e => e.querySelector('img'))
                                                  .filter(i => !(i.complete && i.naturalWidth > 0));
      if (state === 'notRunning' && !stale && src !== null && src !== before && !pending.length) {
        finish({start, done: performance.now(),
                exceptions: document.querySelectorAll('[data-testid="stException"]').length});
      }
      return {state, connection: app.dataset.testConnectionState, stale, damaged_changed: src !== before,
              images_not_loaded: pending.map(i => i.getAttribute('src'))};
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => finish({timeout: {started: start !== undefined, ...check()}}), timeoutMs);
    const started = () => { if (start === undefined) start = performance.now(); };
    const options = {capture: true, signal: stop.signal};
    for (const kind of ['keydown', 'click']) window.addEventListener(kind, started, options);
    document.addEventListener('load', check, options);  // <img> loads do not bubble
    observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  });
}"""
# The training page: [progress in percent or null, the finished job's badge (done/stopped/failed) or null].
TRAINING_JS = """() => {
  const bar = document.querySelector('[data-testid="stProgress"] [role="progressbar"]');
  const text = document.body.innerText, yours = text.indexOf('Your models');
  const badge = yours < 0 ? null : text.slice(yours).match(/\\b(done|stopped|failed)\\b/);
  return [bar ? Number(bar.getAttribute('aria-valuenow')) : null, badge ? badge[1] : null];
}"""
# Console noise that says nothing about the app: the frontend probes /<page>/_stcore/{health,host-config}
# before the root ones on a deep link, and this machine is offline (Material icons from fonts.gstatic.com).
BENIGN_CONSOLE = [re.compile(r"status of 404 .*"), re.compile(r"net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED)")]
BENIGN_404 = re.compile(r"/[\w-]+/_stcore/(health|host-config)$")
BORING_LOG = r"You can now view|URL: http|server started on|Stopping\.\.\."


# --- processes: pinning, memory, CPU -------------------------------------------------------------------------

def proc_field(pid: int, name: str) -> str | None:
    """A field of /proc/<pid>/status (e.g. VmRSS, Cpus_allowed_list), or None if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def descendants(pid: int, skip: int | None = None) -> list[int]:
    """`pid` and every process below it, leaving out the subtree of `skip` (a scan of /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = stat_fields(int(entry.name))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += [c for c in children.get(tree[-1], []) if c != skip]
    return tree


def tree_usage(pid: int, skip: int | None = None) -> tuple[float, float, int]:
    """(VmRSS in MB, CPU seconds so far, number of processes) of `pid`'s process tree, leaving out `skip`'s.
    CPU counts the live processes and the children they reaped."""
    kb = ticks = count = 0
    for p in descendants(pid, skip):
        rss, fields = proc_field(p, "VmRSS"), stat_fields(p)
        if rss and fields:
            kb, ticks, count = kb + int(rss.split()[0]), ticks + sum(int(v) for v in fields[11:15]), count + 1
    return kb / 1024, ticks / os.sysconf("SC_CLK_TCK"), count


def core_times() -> dict[str, tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if re.match(r"cpu\d+ ", line):
            name, *values = line.split()
            values = [int(v) for v in values]
            idle = values[3] + values[4]  # idle + iowait
            times[name] = (sum(values) - idle, sum(values))
    return times


def busy_percent(before: dict, after: dict) -> dict[str, float]:
    """How busy each core was between two core_times() readings, in %."""
    return {cpu: round(100 * (after[cpu][0] - before[cpu][0]) / max(1, after[cpu][1] - before[cpu][1]))
            for cpu in after}


def cpu_snapshot(sampler: "Sampler") -> dict:
    """CPU seconds so far: each core (anyone's work), the server's and the client's trees, and the server
    process alone (what the app's script runs cost, without a training child)."""
    fields = stat_fields(sampler.trees["server"][0])
    return {"cores": core_times(), **{name: sampler.cpu_s(name) for name in sampler.trees},
            "app": sum(int(v) for v in fields[11:13]) / os.sysconf("SC_CLK_TCK") if fields else 0.0}


def cpu_report(before: dict, after: dict, seconds: float, updates: int) -> dict:
    """How busy the cores and the two sides were between two snapshots, and the CPU cost of an update."""
    cores = busy_percent(before["cores"], after["cores"])
    used = {name: after[name] - before[name] for name in ("server", "client", "app")}
    return {"core_busy_percent": cores,
            "server_tree_percent": round(100 * used["server"] / seconds, 1),
            "client_tree_percent": round(100 * used["client"] / seconds, 1),
            # what other processes on this machine took from each side's core (they are not pinned)
            "others_on_server_core_percent": max(0, round(cores[f"cpu{SERVER_CORE}"] - 100 * used["server"] / seconds)),
            "others_on_client_core_percent": max(0, round(cores[f"cpu{CLIENT_CORE}"] - 100 * used["client"] / seconds)),
            "server_process_ms_per_update": round(1000 * used["app"] / updates, 1) if updates else None,
            "client_ms_per_update": round(1000 * used["client"] / updates, 1) if updates else None,
            "client_bound": used["client"] / seconds > 0.9}


class Sampler(threading.Thread):
    """Every second: memory (VmRSS) and CPU of the server's process tree and of the client's (this script,
    Playwright's driver, Chromium)."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.trees = {"server": (server_pid, None), "client": (os.getpid(), server_pid)}  # the server is our child
        self.samples, self.stop, self.started = [], threading.Event(), time.monotonic()
        self.last = {name: (self.started, tree_usage(*tree)[1]) for name, tree in self.trees.items()}
        self.last_cores, self.lock = core_times(), threading.Lock()

    def sample(self) -> dict:
        """Take a sample now (the thread takes one every second; the run adds a few at its milestones)."""
        with self.lock:
            now, row = time.monotonic(), {"t_s": round(time.monotonic() - self.started, 1)}
            for name, tree in self.trees.items():
                mb, cpu_s, count = tree_usage(*tree)
                (then, cpu_then), self.last[name] = self.last[name], (now, cpu_s)
                percent = max(0, round(100 * (cpu_s - cpu_then) / (now - then)))  # < 0: processes ended
                row |= {f"{name}_mb": round(mb, 1), f"{name}_cpu_percent": percent}
                row |= {"server_processes": count} if name == "server" else {}
            rss = proc_field(self.trees["server"][0], "VmRSS")
            row["app_mb"] = round(int(rss.split()[0]) / 1024, 1) if rss else None  # the server process alone
            cores = core_times()
            row["cores_busy_percent"], self.last_cores = busy_percent(self.last_cores, cores), cores
            self.samples.append(row)
            return row

    def cpu_s(self, name: str) -> float:
        return tree_usage(*self.trees[name])[1]

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()


def start_server(port: int, env: dict, app_dir: Path = REPO, log_path: Path = SERVER_LOG) -> subprocess.Popen:
    """`make run`'s command, headless, on `port`, pinned to SERVER_CORE; its output goes to `log_path`.
    `app_dir` is the checkout to serve (another one, e.g. a worktree of an older commit, runs on this venv)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(REPO / ".venv" / "bin" / "streamlit"), "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log_path, "w") as log:
        return subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: os.sched_setaffinity(0, {SERVER_CORE}))


def server_env() -> dict:
    """This process's environment, with AE_DATA_DIR=../shared/mnist (next to the repository) when that folder
    exists and AE_DATA_DIR is not set: as .ci/run does, the real test set, not the offline stand-in."""
    env = dict(os.environ)
    shared_mnist = REPO.parent / "shared" / "mnist"
    if "AE_DATA_DIR" not in env and shared_mnist.is_dir():
        env["AE_DATA_DIR"] = str(shared_mnist)
    return env


def server_log(limit: int = 40, log_path: Path = SERVER_LOG) -> dict:
    """What the server logged beyond its start and stop lines (a clean run logs nothing else)."""
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    said = [ln for ln in lines if ln.strip() and not re.search(BORING_LOG, ln)]
    return {"count": len(said), "lines": said[:limit]}


# --- one session ---------------------------------------------------------------------------------------------

class Tally:
    """Everything the sessions record, shared by all of them (one event loop: no locks needed)."""

    def __init__(self):
        self.updates: list[dict] = []  # {"t_s", "session", "action", "ms"}
        self.errors: list[dict] = []  # {"t_s", "session", "doing", "kind", "detail"}
        self.benign_console: dict[str, int] = {}
        self.doing: dict[str, str] = {}  # session -> what it is doing now ("loading", an action, "thinking")
        self.window_start: float | None = None
        self.closing = False  # set before the contexts close: their websockets closing is no disconnect

    def t(self) -> float:
        return round(time.monotonic() - self.window_start, 2) if self.window_start else 0.0

    def error(self, session: str, kind: str, detail: str) -> None:
        doing = self.doing.get(session, "")
        self.errors.append({"t_s": self.t(), "session": session, "doing": doing, "kind": kind, "detail": detail[:500]})
        print(f"  ! {self.t():5.1f} s {session} ({doing}): {kind}: {detail[:200]}")


def watch(page, name: str, base: str, tally: Tally) -> None:
    """Count the page's console errors, uncaught errors and websocket disconnects into `tally`."""
    def on_console(msg):
        if msg.type != "error":
            return
        url = msg.location.get("url", "")
        if any(p.search(msg.text) for p in BENIGN_CONSOLE) and (not url.startswith(base) or BENIGN_404.search(url)):
            where = "/<page>/_stcore/" + url.rsplit("/", 1)[1] if url.startswith(base) else url.split("/")[2]
            key = f"{msg.text} ({where})"
            tally.benign_console[key] = tally.benign_console.get(key, 0) + 1
        else:
            tally.error(name, "console", f"{msg.text} [{url}]")

    def on_websocket(ws):
        if "/_stcore/stream" in ws.url:
            ws.on("close", lambda _: tally.closing or tally.error(name, "websocket", f"closed: {ws.url}"))
            ws.on("socketerror", lambda err: tally.error(name, "websocket", f"error: {err}"))

    page.on("console", on_console)
    page.on("pageerror", lambda err: tally.error(name, "pageerror", str(err)))
    page.on("websocket", on_websocket)


async def app_ready(page, timeout_ms: float) -> None:
    """Streamlit is connected and the script (or a rerun) has finished: tests.browser.wait_for_app, async."""
    for attribute in ('data-test-connection-state="CONNECTED"', 'data-test-script-state="notRunning"'):
        await page.wait_for_selector(f'[data-testid="stApp"][{attribute}]', state="attached", timeout=timeout_ms)


async def recover(page, name: str, tally: Tally, timeout_ms: float) -> bool:
    """Start a user over after a timeout or a traceback: reload the page; False if even that fails."""
    tally.doing[name] = "reloading"
    try:
        await page.reload(timeout=timeout_ms)
        await app_ready(page, timeout_ms)
        return True
    except Exception as err:  # a page that cannot be reloaded ends this session, not the run
        tally.error(name, "playwright", f"reload: {type(err).__name__}: {err}")
        return False


async def act(page, action: str, state: dict, rng: random.Random) -> None:
    """Make one update the way a user would: keyboard on the slider, or a click."""
    if action == "p":
        low, high = P_RANGE
        up = state["p"] <= low + 1e-9 or (state["p"] < high - 1e-9 and rng.random() < 0.5)
        await page.get_by_role("slider", name="p, the fraction of pixels dropped").press(
            "ArrowRight" if up else "ArrowLeft")
        state["p"] = round(state["p"] + (0.05 if up else -0.05), 2)
    elif action == "new noise":
        await page.get_by_role("button", name="New noise").click()
    else:
        up = state["index"] == 0 or rng.random() < 0.5
        index_box = page.locator('[data-testid="stNumberInput"]').filter(has_text="Index")
        await index_box.locator(f'[data-testid="stNumberInputStep{"Up" if up else "Down"}"]').click()
        state["index"] += 1 if up else -1


async def repair_session(i: int, browser, base: str, args, tally: Tally, ready: asyncio.Event,
                         go: asyncio.Event, deadline: list) -> dict:
    """One user on /repair: load the page, wait for the start, then update until the deadline."""
    name, rng = f"s{i:02d}", random.Random(args.seed * 1000 + i)
    state = {"p": 0.5, "index": i, "seed": i}
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(args.timeout * 1000)
    watch(page, name, base, tally)
    url = f"{base}/repair?class=7&index={state['index']}&damage=dropout&p=0.5&seed={state['seed']}"
    result = {"session": name, "loaded_s": None, "updates": 0}
    tally.doing[name] = "loading"
    try:
        began = time.monotonic()
        await page.goto(url, timeout=LOAD_TIMEOUT_MS)
        await app_ready(page, LOAD_TIMEOUT_MS)
        for rendered in (page.get_by_text("Navier-Stokes", exact=True), page.locator(METRICS_TABLE)):
            await rendered.first.wait_for(timeout=LOAD_TIMEOUT_MS)
        result["loaded_s"] = round(time.monotonic() - began, 2)
    except PlaywrightTimeout as err:
        tally.error(name, "timeout", f"first load: {err.message.splitlines()[0]}")
    finally:
        ready.set()
    await go.wait()
    await asyncio.sleep(rng.uniform(0, 1 + args.think))  # users do not all start on the same millisecond
    actions, weights = list(ACTIONS), list(ACTIONS.values())
    while result["loaded_s"] is not None and time.monotonic() < deadline[0]:
        action = tally.doing[name] = rng.choices(actions, weights)[0]
        try:
            await page.evaluate(ARM_JS, args.timeout * 1000)
            await act(page, action, state, rng)
            outcome = await page.evaluate("() => window.__ae")
        except Exception as err:  # a crashed page is an error to count, not a reason to stop the run
            kind = "action" if isinstance(err, PlaywrightTimeout) else "playwright"
            tally.error(name, kind, f"{action}: {type(err).__name__}: {str(err).splitlines()[0]}")
            if not await recover(page, name, tally, args.timeout * 1000):
                break
            continue
        if "timeout" in outcome:
            tally.error(name, "timeout", f"{action}: no updated result within {args.timeout:g} s: "
                                         f"{json.dumps(outcome['timeout'])}")
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / f"load-timeout-{name}-{tally.t():.0f}s.png"))
            if not await recover(page, name, tally, args.timeout * 1000):  # start this user over
                break
            continue
        tally.updates.append({"t_s": tally.t(), "session": name, "action": action,
                              "ms": round(outcome["done"] - outcome["start"], 1)})
        result["updates"] += 1
        if outcome["exceptions"]:
            tally.error(name, "exception", " | ".join(await page.locator(EXCEPTION).all_inner_texts()))
            if not await recover(page, name, tally, args.timeout * 1000):
                break
        tally.doing[name] = "thinking"
        await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
    result["context"] = context
    return result


async def training_session(browser, base: str, tally: Tally, ready: asyncio.Event, go: asyncio.Event,
                           deadline: list) -> dict:
    """Open /train (before the Repair sessions load, so a busy client cannot hide its button), press
    "Start training" (its defaults) when the load starts and follow the run until the deadline."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    button = page.get_by_role("button", name="Start training", exact=True)
    try:
        await page.goto(base + TRAIN_PATH, timeout=LOAD_TIMEOUT_MS)
        await app_ready(page, LOAD_TIMEOUT_MS)  # the first run of a fresh server imports torch: not counted
        await button.wait_for(state="visible", timeout=TRAIN_PAGE_TIMEOUT_MS)
    except PlaywrightTimeout:
        await context.close()
        ready.set()
        print("#" * 100)
        print(f"## WARNING: no {TRAIN_PATH} page with a \"Start training\" button within "
              f"{TRAIN_PAGE_TIMEOUT_MS / 1000:g} s: running WITHOUT training.")
        print("#" * 100)
        return {"status": "unavailable"}
    ready.set()
    watch(page, "train", base, tally)  # from here on: a missing page's own console errors are no app errors
    await go.wait()
    clicked = time.monotonic()
    await button.click()
    progress, first_bar_s, status = [], None, "still running at the end"
    while time.monotonic() < deadline[0]:
        value, badge = await page.evaluate(TRAINING_JS)
        elapsed = round(time.monotonic() - clicked, 1)
        progress.append([elapsed, value])
        if value is not None and first_bar_s is None:
            first_bar_s = elapsed
        if badge:
            status = badge
            break
        await asyncio.sleep(1.0)
    exceptions = await page.locator(EXCEPTION).all_inner_texts()
    for text in exceptions:
        tally.error("train", "exception", text)
    return {"status": status, "progress_bar_after_s": first_bar_s, "seconds": progress[-1][0] if progress else 0,
            "last_progress_percent": max((v for _, v in progress if v is not None), default=None),
            "progress": progress, "context": context}


# --- the run -------------------------------------------------------------------------------------------------

async def run_load(base: str, args, tally: Tally, sampler: Sampler) -> dict:
    """All sessions (and the training one) in one Chromium; returns what the main function summarises."""
    go, deadline = asyncio.Event(), [float("inf")]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=BROWSER_ARGS)
        try:
            training, train_ready = None, asyncio.Event()
            if args.train:
                training = asyncio.create_task(training_session(browser, base, tally, train_ready, go, deadline))
                await train_ready.wait()
            readies = [asyncio.Event() for _ in range(args.sessions)]
            began = time.monotonic()
            tasks = [asyncio.create_task(repair_session(i, browser, base, args, tally, readies[i], go, deadline))
                     for i in range(args.sessions)]
            await asyncio.gather(*(r.wait() for r in readies))
            loaded_s = time.monotonic() - began
            print(f"{args.sessions} sessions loaded in {loaded_s:.1f} s; load for {args.seconds:g} s")
            await asyncio.sleep(SETTLE_S)
            memory_loaded = sampler.sample()
            cpu_before, tally.window_start = cpu_snapshot(sampler), time.monotonic()
            deadline[0] = tally.window_start + args.seconds
            go.set()
            sessions = await asyncio.gather(*tasks)
            train = await training if training else {"status": "off"}
            window_s = time.monotonic() - tally.window_start
            cpu = cpu_report(cpu_before, cpu_snapshot(sampler), window_s, len(tally.updates))
            memory_end = sampler.sample()
            tally.closing = True
            for s in [*sessions, train]:
                if "context" in s:
                    await s.pop("context").close()
        finally:
            tally.closing = True
            await browser.close()
    return {"sessions": sessions, "training": train, "all_loaded_s": round(loaded_s, 2), "window_s": window_s,
            "cpu": cpu,
            "memory_loaded": memory_loaded, "memory_end": memory_end}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1), "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1), "max_ms": round(max(values), 1)}


def memory(samples: list[dict], loaded: dict, end: dict, key: str) -> dict:
    """Start, after the first page loads, peak, end of the load and after the sessions closed, in MB."""
    values = [row[key] for row in samples]
    return {"start": values[0], "sessions_loaded": loaded[key], "peak": max(values), "end": end[key],
            "after_close": values[-1]}


def summarise(run: dict, tally: Tally, sampler: Sampler, args, extra: dict) -> dict:
    ms = [u["ms"] for u in tally.updates]
    buckets, error_counts = {}, {}
    for u in tally.updates:
        buckets.setdefault(int(u["t_s"] // 10) * 10, []).append(u["ms"])
    for e in tally.errors:
        error_counts[e["kind"]] = error_counts.get(e["kind"], 0) + 1
    training = {k: v for k, v in run["training"].items() if k != "context"}
    samples, loaded, end = sampler.samples, run["memory_loaded"], run["memory_end"]
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "setup": {"sessions": args.sessions, "seconds": args.seconds, "think_s": args.think,
                  "update_timeout_s": args.timeout, "actions": ACTIONS, "train": args.train, **extra},
        "what": "keydown/click -> rerun over (notRunning, nothing stale), 'damaged' image new, all images loaded",
        "updates": len(ms),
        "updates_per_s": round(len(ms) / run["window_s"], 2),
        "latency": percentiles(ms),
        "latency_by_action": {a: percentiles([u["ms"] for u in tally.updates if u["action"] == a]) for a in ACTIONS},
        "latency_by_10s": {f"{t}-{t + 10}s": percentiles(v) for t, v in sorted(buckets.items())},
        "first_load": {"all_loaded_s": run["all_loaded_s"],
                       "per_session_s": [s["loaded_s"] for s in run["sessions"]]},
        "updates_per_session": {s["session"]: s["updates"] for s in run["sessions"]},
        "errors": {"total": len(tally.errors), "by_kind": error_counts, "first": tally.errors[:50]},
        "benign_console_messages": tally.benign_console,
        "server_log": server_log(),
        "server_memory_mb": memory(samples, loaded, end, "server_mb"),  # the server and its children
        "server_process_memory_mb": memory(samples, loaded, end, "app_mb"),  # the server alone
        "client_memory_peak_mb": max(row["client_mb"] for row in samples),
        "cpu": {**run["cpu"], "what": "during the load: how busy each core was (anyone's work); CPU of the server's "
                                      "and the client's process trees in % of one core; CPU per update of the server "
                                      "process alone and of the client; client_bound: the client's core was the "
                                      "bottleneck, so latencies include waiting for Chromium"},
        "training": "unavailable" if training["status"] == "unavailable" else training,
        "samples": {"window_starts_at_s": round(tally.window_start - sampler.started, 1), "every_second": samples},
    }


def print_summary(result: dict) -> None:
    lat, err, training, cpu = result["latency"], result["errors"], result["training"], result["cpu"]
    mem, app = result["server_memory_mb"], result["server_process_memory_mb"]

    def spread(v: dict) -> str:
        return f"{v['p50_ms']:.0f} / {v['p95_ms']:.0f} / {v['max_ms']:.0f} ms (n={v['n']})" if v["n"] else "-"

    rows = [("sessions x seconds", f"{result['setup']['sessions']} x {result['setup']['seconds']:g} s, "
                                   f"think {result['setup']['think_s']:g} s"),
            ("updates", f"{result['updates']} ({result['updates_per_s']:.1f}/s)"),
            ("latency p50 / p95 / max", spread(lat))]
    rows += [(f"  {a}", spread(v)) for a, v in result["latency_by_action"].items()]
    rows += [("errors", f"{err['total']} {err['by_kind'] or ''}".strip()),
             ("server log lines", str(result["server_log"]["count"])),
             ("server RSS +children", f"start {mem['start']:.0f}, loaded {mem['sessions_loaded']:.0f}, peak "
                                      f"{mem['peak']:.0f}, end {mem['end']:.0f}, closed {mem['after_close']:.0f} MB"),
             ("  server process alone", f"loaded {app['sessions_loaded']:.0f}, peak {app['peak']:.0f}, "
                                        f"end {app['end']:.0f}, closed {app['after_close']:.0f} MB"),
             ("cores busy (anyone)", ", ".join(f"{c} {v:.0f}%" for c, v in cpu["core_busy_percent"].items())
              + f" (others: {cpu['others_on_server_core_percent']}% / {cpu['others_on_client_core_percent']}%)"),
             ("server / client CPU", f"{cpu['server_tree_percent']:.0f}% / {cpu['client_tree_percent']:.0f}% of a core"
                                     f" (pinned to cores {result['setup']['server_cores']} / "
                                     f"{result['setup']['client_cores']})"),
             ("CPU per update", f"server process {cpu['server_process_ms_per_update']} ms, "
                                f"client {cpu['client_ms_per_update']} ms"),
             ("training", training if isinstance(training, str) else training["status"] if "seconds" not in training
              else f"{training['status']} after {training['seconds']:g} s "
                   f"(progress seen up to {training['last_progress_percent']}%)")]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if cpu["client_bound"]:
        print("note: the client's core was saturated: the latencies include waiting for Chromium, not only the app")


def _relative(path: str | None) -> str | None:
    """A folder as the results file should name it: relative to the repository, never this machine's path."""
    return None if path is None else os.path.relpath(path, REPO)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Concurrent Repair sessions (and a training) against one server.")
    parser.add_argument("--sessions", type=int, help="concurrent Repair sessions (default 20; 5 with --quick)")
    parser.add_argument("--seconds", type=float, help="length of the load, seconds (default 60; 10 with --quick)")
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean pause between a session's updates, seconds, jittered +-50%% (default 0.5)")
    parser.add_argument("--timeout", type=float, default=30, help="an update slower than this is an error (default 30)")
    parser.add_argument("--train", action=argparse.BooleanOptionalAction, default=True,
                        help="one more session trains a model on /train (default on)")
    parser.add_argument("--quick", action="store_true", help="5 sessions for 10 s: a smoke test")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sessions' choices (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results JSON (default {RESULTS.relative_to(REPO)})")
    args = parser.parse_args(argv)
    args.sessions = args.sessions or (5 if args.quick else 20)
    args.seconds = args.seconds or (10 if args.quick else 60)

    cores = sorted(os.sched_getaffinity(0))
    if not {SERVER_CORE, CLIENT_CORE} <= set(cores):
        raise SystemExit(f"needs cores {SERVER_CORE} and {CLIENT_CORE}; this process may run on {cores}")
    os.sched_setaffinity(0, {CLIENT_CORE})  # Playwright's driver and Chromium inherit this
    env = server_env()
    load_before = os.getloadavg()

    port = free_port()
    server = start_server(port, env)
    sampler = Sampler(server.pid)
    tally = Tally()
    try:
        wait_healthy(port, server)
        sampler.sample()
        sampler.start()
        run = asyncio.run(run_load(f"http://127.0.0.1:{port}", args, tally, sampler))
        time.sleep(5)  # sessions closed: does the server give their memory back?
        sampler.sample()
        server_affinity = proc_field(server.pid, "Cpus_allowed_list")
    finally:
        sampler.stop.set()
        leftovers = descendants(server.pid)[1:]  # e.g. a training child still running: started by our server
        stop_server(server)
        for pid in leftovers:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass

    extra = {"server_cores": server_affinity, "client_cores": proc_field(os.getpid(), "Cpus_allowed_list"),
             "cpu_count": os.cpu_count(), "loadavg_1_5_15_before": [round(v, 2) for v in load_before],
             "loadavg_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
             "chromium": chromium_path(), "data_dir": _relative(env.get("AE_DATA_DIR")),
             "env": {k: _relative(v) if k == "AE_DATA_DIR" else v
                     for k, v in env.items() if k.startswith(("OMP_", "STREAMLIT_", "AE_"))}}
    result = summarise(run, tally, sampler, args, extra)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    EVENTS.write_text("".join(json.dumps(e) + "\n" for e in sorted(tally.updates + tally.errors,
                                                                  key=lambda e: e["t_s"])))
    print_summary(result)
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
