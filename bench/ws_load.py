"""Many users at once without a browser: Streamlit websocket sessions against the real app, server on one core.

Each session is a lightweight client speaking Streamlit's own protocol (bench/ws_session.py: BackMsg out,
ForwardMsg in, widget states as the frontend keeps them, images fetched over HTTP), all of them in this one
asyncio process, pinned to core 1. The server (`streamlit run app.py`, headless, a free localhost port,
AE_DATA_DIR=../shared/mnist when it exists) is pinned to core 0. Then:

1. `--sessions` users (default 20) open `--page` (repair, interpolate or latent: bench/ws_pages.py), started
   `--ramp` seconds apart in all, each at its own digit (and seed) so no cache hides the work.
2. Once every session has loaded, for `--seconds` (default 30) each repeats an action of its page (a fragment
   rerun, as the browser sends it), pausing `--think` seconds (+-50%) between updates. An update is timed from
   sending the rerun to `script_finished` and every image it named fetched. An `exception` element, a non-2xx
   image, a disconnect or a `--timeout` is an error, counted by reason.
3. Recorded: updates, updates/s, latency p50/p95/p99, first-page-load latency, errors by reason, the server's
   CPU seconds (its process tree, from /proc) per update over the load window only, its memory (VmRSS of the
   tree) at start, after loading and at the end, and how busy the client's core was.

`--churn 500` measures memory instead: sessions connect one after another (`--concurrency` at a time), each
loads Repair, makes one update and closes; the server's RSS is read after every 100 sessions and after an
idle pause at the end (the goal: after 500 within 50 MB of after 100).

`--compare REV` benchmarks REV (a temporary `git worktree`, removed afterwards) and then the working tree, one
server after the other with the same settings, side by side. `--app-dir DIR` serves another checkout with this
venv. `--url URL` targets a running server or proxy instead (nothing pinned on its side; `--server-pids`
names processes whose CPU and memory to read).

Writes bench/results/ws_load.json (or `--out`) and the section named after it (or `--section`) of
docs/BENCHMARKS.md; the server's log goes to bench/results/ws_load-server-N.log.tmp.

    .venv/bin/python bench/ws_load.py                            # 20 sessions on Repair for 30 s
    .venv/bin/python bench/ws_load.py --sessions 10 --seconds 20 --compare HEAD
    .venv/bin/python bench/ws_load.py --page latent --think 2 --out bench/results/ws_load_latent.json
    .venv/bin/python bench/ws_load.py --churn 500 --concurrency 5
    .venv/bin/python bench/ws_load.py --url http://127.0.0.1:8080 --server-pids 1234,1240,1241

Talks to localhost only; needs cores 0 and 1.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: bench/ lives at the repository root

from bench.app_latency import free_port, stop_server, wait_healthy  # noqa: E402
from bench.checkout import working_tree, worktree  # noqa: E402
from bench.load import (  # noqa: E402
    CLIENT_CORE,
    SERVER_CORE,
    busy_percent,
    core_times,
    descendants,
    percentiles,
    proc_field,
    server_env,
    server_log,
    start_server,
    tree_usage,
)
from bench.report import update_section  # noqa: E402
from bench.ws_pages import PAGES, Page  # noqa: E402
from bench.ws_session import Session, UpdateError  # noqa: E402
from deploy.serve import free_ports, listening  # noqa: E402

RESULTS = REPO / "bench" / "results" / "ws_load.json"
KEEP_SESSION = ("exception", "media")  # after these errors the page still works; after any other, reload it


# --- the users -----------------------------------------------------------------------------------------------

class Tally:
    """What the sessions record, shared by all of them (one event loop: no locks needed)."""

    def __init__(self, redact: dict[str, str]):
        self.updates: list[dict] = []  # record()'s
        self.loads: list[float] = []  # first page load (with the session's setup), ms
        self.errors: list[dict] = []  # {"t_s", "session", "doing", "reason", "detail"}
        self.redact, self.started = redact, time.monotonic()

    def t(self) -> float:
        return round(time.monotonic() - self.started, 2)

    def error(self, session: str, doing: str, err: UpdateError) -> None:
        detail = err.detail
        for path, name in self.redact.items():  # no path of this machine in the results
            detail = detail.replace(path, name)
        self.errors.append({"t_s": self.t(), "session": session, "doing": doing, "reason": err.reason,
                            "detail": detail[:500]})
        print(f"  ! {self.t():6.1f} s {session} ({doing}): {err.reason}: {detail[:200]}")


def record(session: str, action: str, update, tally: Tally) -> dict:
    """One update as the results keep it: when, who, what, how long, its images and the GETs they took."""
    return {"t_s": tally.t(), "session": session, "action": action, "ms": update.ms, "images": len(update.images),
            "image_gets": update.fetched, "image_bytes": sum(map(len, update.images.values()))}


async def load_page(session: Session, page: Page, i: int) -> float:
    """Open the page and apply the session's setup; the milliseconds it took. Raises UpdateError, the
    session closed."""
    began = time.perf_counter()
    try:
        await session.open()
        for key, state in page.setup(i).items():
            await session.change(key, state)
    except UpdateError:
        await session.close()
        raise
    return 1000 * (time.perf_counter() - began)


def session_query(page: Page, i: int, args) -> str:
    """Session i's query string: the page's, plus ?lang= for a language other than English (--lang)."""
    return "&".join(part for part in (page.query(i), f"lang={args.lang}" if args.lang != "en" else "") if part)


async def warm_up(base: str, page: Page, args, tally: Tally) -> int | None:
    """Load the page once, untimed, and leave: the first run of a fresh server imports torch and loads the
    models. Returns the milliseconds it took (None if it failed)."""
    session = Session(base, page.path, session_query(page, args.sessions, args), args.timeout)
    try:
        return round(await load_page(session, page, args.sessions))
    except UpdateError as err:
        tally.error("warmup", "loading", err)
        return None
    finally:
        await session.close()


async def user(i: int, base: str, page: Page, args, tally: Tally, loaded: asyncio.Event, go: asyncio.Event,
               deadline: list) -> Session:
    """One user: load the page (staggered), wait for the load to start, then act and think until the deadline
    or `--updates`. Returns the session, still connected, for the caller to close."""
    name, rng = f"s{i:02d}", random.Random(args.seed * 1000 + i)
    session = Session(base, page.path, session_query(page, i, args), args.timeout)
    await asyncio.sleep(i * args.ramp / max(1, args.sessions))
    try:
        tally.loads.append(await load_page(session, page, i))
    except UpdateError as err:
        tally.error(name, "loading", err)
        session = None
    loaded.set()
    await go.wait()
    await asyncio.sleep(rng.uniform(0, args.think))  # users do not all start on the same millisecond
    names, weights = list(page.actions), [w for w, _ in page.actions.values()]
    done = 0
    while session is not None and time.monotonic() < deadline[0] and done < args.updates:
        action = rng.choices(names, weights)[0]
        try:
            update = await session.change(*page.actions[action][1](session, rng))
            tally.updates.append(record(name, action, update, tally))
        except UpdateError as err:
            tally.error(name, action, err)
            if not err.reason.startswith(KEEP_SESSION):
                session = await reload(session, page, i, name, tally)
        done += 1
        if done < args.updates:
            await asyncio.sleep(min(args.think * rng.uniform(0.5, 1.5), max(0.0, deadline[0] - time.monotonic())))
    return session


async def reload(session: Session, page: Page, i: int, name: str, tally: Tally) -> Session | None:
    """Start a user over after a timeout or a disconnect, as a browser reload would; None if even that fails."""
    await session.close()
    try:
        await load_page(session, page, i)
        return session
    except UpdateError as err:
        tally.error(name, "reloading", err)
        return None


# --- measuring the server ------------------------------------------------------------------------------------

def server_usage(pids: list[int]) -> dict:
    """Per pid (its process tree): VmRSS in MB and CPU seconds so far (utime + stime, with reaped children)."""
    return {pid: tree_usage(pid)[:2] for pid in pids}


def client_cpu_s() -> float:
    """CPU seconds this process (all the sessions) used so far."""
    times = os.times()
    return times.user + times.system


def memory_mb(usage: dict) -> float:
    return round(sum(mb for mb, _ in usage.values()), 1)


async def run_load(base: str, args, pids: list[int], redact: dict) -> dict:
    """All sessions against `base`; returns the variant's figures (rows() shows them)."""
    page, tally = PAGES[args.page], Tally(redact)
    go, deadline = asyncio.Event(), [float("inf")]
    loaded = [asyncio.Event() for _ in range(args.sessions)]
    start = server_usage(pids)
    warmup_ms = await warm_up(base, page, args, tally)
    tasks = [asyncio.create_task(user(i, base, page, args, tally, loaded[i], go, deadline))
             for i in range(args.sessions)]
    began = time.monotonic()
    await asyncio.gather(*(e.wait() for e in loaded))
    all_loaded_s = round(time.monotonic() - began, 2)
    print(f"  {len(tally.loads)} of {args.sessions} sessions loaded in {all_loaded_s:.1f} s; "
          f"load for {args.seconds:g} s")
    before, cores_before, client_before = server_usage(pids), core_times(), client_cpu_s()
    began = time.monotonic()
    deadline[0] = began + args.seconds
    go.set()
    sessions = await asyncio.gather(*tasks)
    window_s = time.monotonic() - began
    after, cores_after, client_after = server_usage(pids), core_times(), client_cpu_s()
    for session in sessions:
        if session is not None:
            await session.close()
    updates = tally.updates
    cpu = {pid: round(after[pid][1] - before[pid][1], 2) for pid in pids}
    cores = busy_percent(cores_before, cores_after)
    return {
        "sessions": args.sessions, "page": args.page, "seconds": round(window_s, 1),
        "updates": len(updates), "updates_per_s": round(len(updates) / window_s, 2),
        "latency": percentiles([u["ms"] for u in updates]),
        "latency_by_action": {a: percentiles([u["ms"] for u in updates if u["action"] == a]) for a in page.actions},
        "first_load": {**percentiles(tally.loads), "all_loaded_s": all_loaded_s, "warmup_ms": warmup_ms},
        "images_per_update": round(sum(u["images"] for u in updates) / len(updates), 1) if updates else None,
        "image_gets_per_update": round(sum(u["image_gets"] for u in updates) / len(updates), 1) if updates else None,
        "errors": errors(tally),
        "server_cpu": {"seconds_per_pid": cpu, "seconds": round(sum(cpu.values()), 2),
                       "ms_per_update": round(1000 * sum(cpu.values()) / len(updates), 1) if updates else None,
                       "percent_of_a_core": round(100 * sum(cpu.values()) / window_s, 1)} if pids else None,
        "server_memory_mb": {"start": memory_mb(start), "loaded": memory_mb(before), "end": memory_mb(after),
                             "per_pid_end": {pid: round(mb, 1) for pid, (mb, _) in after.items()}} if pids else None,
        "client": {"core": f"cpu{CLIENT_CORE}", "core_busy_percent": cores.get(f"cpu{CLIENT_CORE}"),
                   "process_percent_of_a_core": round(100 * (client_after - client_before) / window_s, 1),
                   "ms_per_update": round(1000 * (client_after - client_before) / len(updates), 1) if updates
                   else None},
        "cores_busy_percent": cores,
    }


async def run_churn(base: str, args, pids: list[int], redact: dict) -> dict:
    """`--churn` sessions, `--concurrency` at a time: each loads Repair, makes one update and closes. The
    server's RSS after every `--churn-step` sessions and after `--idle` seconds at the end."""
    page, tally = PAGES["repair"], Tally(redact)
    start = memory_mb(server_usage(pids))
    rss: dict[int, float] = {}  # sessions done -> server RSS, MB
    warmup_ms = await warm_up(base, page, args, tally)
    cpu_before, began, queue, finished = server_usage(pids), time.monotonic(), iter(range(args.churn)), [0]

    async def worker() -> None:
        for i in queue:
            name, session = f"c{i:03d}", Session(base, page.path, session_query(page, i, args), args.timeout)
            try:
                tally.loads.append(await load_page(session, page, i))
                update = await session.change(*page.actions["p"][1](session, random.Random(i)))
                tally.updates.append(record(name, "p", update, tally))
            except UpdateError as err:
                tally.error(name, "churn", err)
            await session.close()
            finished[0] += 1
            if finished[0] % args.churn_step == 0:
                rss[finished[0]] = memory_mb(server_usage(pids))
                print(f"  {finished[0]} sessions: server RSS {rss[finished[0]]:.0f} MB")

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    seconds, cpu_after = time.monotonic() - began, server_usage(pids)
    await asyncio.sleep(args.idle)
    first, last = min(rss, default=None), max(rss, default=None)
    growth = round(rss[last] - rss[first], 1) if rss and last > first else None
    cpu_s = sum(cpu_after[pid][1] - cpu_before[pid][1] for pid in pids)
    return {
        "churn": args.churn, "concurrency": args.concurrency, "seconds": round(seconds, 1),
        "sessions_per_s": round(args.churn / seconds, 2),
        "first_load": {**percentiles(tally.loads), "warmup_ms": warmup_ms},
        "latency": percentiles([u["ms"] for u in tally.updates]),
        "errors": errors(tally),
        "server_rss_mb": {"start": start, "after_sessions": rss, "after_idle": memory_mb(server_usage(pids)),
                          "idle_s": args.idle},
        "growth_mb": {"from": first, "to": last, "mb": growth,
                      "within_50_mb": None if growth is None else growth <= 50},
        "server_cpu_ms_per_session": round(1000 * cpu_s / args.churn, 1) if pids else None,
    }


def errors(tally: Tally) -> dict:
    """Errors: how many, per reason, and the first few in full."""
    return {"total": len(tally.errors), "by_reason": dict(Counter(e["reason"] for e in tally.errors)),
            "first": tally.errors[:20]}


# --- variants: which server -----------------------------------------------------------------------------------

def bench_variant(label: str, app_dir: Path | None, args, index: int) -> dict:
    """Start a server on `app_dir` (or use `--url`), run the load or the churn against it, stop it."""
    print(f"== {label}")
    redact = {str(REPO): ".", **({str(app_dir): label} if app_dir and app_dir != REPO else {})}
    run = run_churn if args.churn else run_load
    if args.url:
        pids = [int(p) for p in args.server_pids.split(",")] if args.server_pids else []
        return {"label": label, "url": args.url, "server_pids": pids,
                **asyncio.run(run(args.url.rstrip("/"), args, pids, redact))}
    log_path = REPO / "bench" / "results" / f"ws_load-server-{index}.log.tmp"
    port = free_port()
    server = start_server(port, server_env(), app_dir, log_path)
    try:
        wait_healthy(port, server)
        result = asyncio.run(run(f"http://127.0.0.1:{port}", args, [server.pid], redact))
        affinity = proc_field(server.pid, "Cpus_allowed_list")
    finally:
        stop_server(server)
    return {"label": label, "app_dir": os.path.relpath(app_dir, REPO) if app_dir.is_relative_to(REPO) else label,
            "server_cores": affinity, **result, "server_log": server_log(log_path=log_path)}


def repair_compute(runs: int) -> dict:
    """What bench/repair_speed.py times for one Repair update ("now": damage, every method, scoring; its
    preprocessing of a drawing left out, since these sessions pick MNIST digits), run pinned to the server's
    core before any server starts: the part of the server's CPU per update that is the repair itself."""
    with tempfile.TemporaryDirectory(prefix="ws_load-") as tmp:
        out = Path(tmp) / "repair_speed.json"
        subprocess.run(["taskset", "-c", str(SERVER_CORE), sys.executable, str(REPO / "bench" / "repair_speed.py"),
                        "--runs", str(runs), "--out", str(out)], check=True, env=server_env(), cwd=REPO,
                       stdout=subprocess.DEVNULL)
        now = json.loads(out.read_text())["now"]
    ms = now["mean_ms"] - now["split_mean_ms"]["preprocess"]
    print(f"== repair compute (bench/repair_speed.py, {runs} updates on core {SERVER_CORE}): {ms:.1f} ms per update")
    return {"ms_per_update": round(ms, 2), "runs": runs, "command": f"python bench/repair_speed.py --runs {runs}"}


def split_cpu(variants: list[dict], compute: dict) -> None:
    """Each variant's server CPU per update split in two: the repair compute and everything else (Streamlit,
    tables, images, the page's own code)."""
    for variant in variants:
        if variant.get("server_cpu"):
            variant["server_cpu"]["repair_compute_ms"] = compute["ms_per_update"]
            variant["server_cpu"]["everything_else_ms"] = round(
                variant["server_cpu"]["ms_per_update"] - compute["ms_per_update"], 2)


def _serve_processes(serve_pid: int) -> dict[int, str]:
    """{pid: name} of what deploy/serve.py started: its replicas (app1, app2, ... by port order) and haproxy."""
    names = {}
    for pid in descendants(serve_pid)[1:]:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if "haproxy" in Path(words[0]).name:
            names[pid] = "haproxy"
        elif "--server.port" in words:
            names[pid] = int(words[words.index("--server.port") + 1])
    ports = sorted(v for v in names.values() if isinstance(v, int))
    return {pid: f"app{ports.index(v) + 1}" if isinstance(v, int) else v for pid, v in names.items()}


def bench_replicas(args) -> list[dict]:
    """One server (pinned to its core, as always), then `--replicas` N behind HAProxy, as `make serve` runs
    them (deploy/serve.py), same load. Replica k is pinned to core k-1 (all its threads, with `taskset -a`),
    as the single server is to its own: the comparison then sees the proxy and the stickiness, not the
    scheduler moving processes between cores. The client stays on its core, which it shares with a replica."""
    single = bench_variant(f"one server ({working_tree()})", REPO, args, 0)
    label = f"{args.replicas} replicas behind HAProxy"
    print(f"== {label}")
    port = free_ports(args.replicas + 1)
    log_path = REPO / "bench" / "results" / "ws_load-serve.log.tmp"
    with open(log_path, "w") as log:
        every_core = set(range(os.cpu_count()))  # not this client's one core, which children would inherit
        serve = subprocess.Popen([sys.executable, "deploy/serve.py", "--replicas", str(args.replicas),
                                  "--port", str(port)], cwd=REPO, env=server_env(), stdout=log,
                                 stderr=subprocess.STDOUT, preexec_fn=lambda: os.sched_setaffinity(0, every_core))
    try:
        deadline = time.monotonic() + 180
        while not listening("127.0.0.1", port):
            if serve.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"deploy/serve.py did not start; see {os.path.relpath(log_path, REPO)}")
            time.sleep(0.25)
        names = _serve_processes(serve.pid)
        for pid, name in names.items():  # replica k on core k-1, as the single server sits on its core
            if name.startswith("app"):
                subprocess.run(["taskset", "-a", "-cp", str((int(name[3:]) - 1) % os.cpu_count()), str(pid)],
                               check=True, stdout=subprocess.DEVNULL)
        for k in range(1, args.replicas + 1):  # each replica's first run imports torch: not in the figures
            asyncio.run(warm_up(f"http://127.0.0.1:{port + k}", PAGES[args.page], args, Tally({})))
        result = asyncio.run(run_load(f"http://127.0.0.1:{port}", args, sorted(names), {str(REPO): "."}))
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    cpu = result["server_cpu"]
    cpu["seconds_per_process"] = {names[int(pid)]: s for pid, s in cpu.pop("seconds_per_pid").items()}
    return [single, {"label": label, "replicas": args.replicas, **result}]


def efficiency(variants: list[dict]) -> str:
    """Updates per server CPU-second of each variant, and the last one's as a share of the first's."""
    rates = [v["updates"] / v["server_cpu"]["seconds"] for v in variants]
    for variant, rate in zip(variants, rates, strict=True):
        variant["server_cpu"]["updates_per_cpu_s"] = round(rate, 2)
    return (f"Updates per server CPU-second: {rates[0]:.1f} ({variants[0]['label']}) and {rates[-1]:.1f} "
            f"({variants[-1]['label']}, one per core, the client beside the last): "
            f"{rates[-1] / rates[0]:.2f} of the first (target within 10%).")


def compare(args) -> list[dict]:
    """REV from a temporary worktree, then the working tree, same settings."""
    with worktree(args.compare) as (label, _, tree):
        baseline = bench_variant(label, tree, args, 0)
    return [baseline, bench_variant(working_tree(), REPO, args, 1)]


# --- report --------------------------------------------------------------------------------------------------

def spread(v: dict) -> str:
    return f"{v['p50_ms']:.0f} / {v['p95_ms']:.0f} / {v['p99_ms']:.0f}" if v.get("n") else "-"


def rows(variant: dict) -> list[tuple[str, str]]:
    """The summary rows of one variant: (what, value)."""
    err = variant["errors"]
    errs = f"{err['total']}" + (f" ({', '.join(f'{k} {n}' for k, n in err['by_reason'].items())})" if err["total"]
                                else "")
    if "churn" in variant:
        g, rss = variant["growth_mb"], variant["server_rss_mb"]
        return [("sessions (concurrency)", f"{variant['churn']} ({variant['concurrency']})"),
                ("sessions/s", f"{variant['sessions_per_s']:.2f}"),
                ("load p50 / p95 / p99 (ms)", spread(variant["first_load"])),
                ("update p50 / p95 / p99 (ms)", spread(variant["latency"])), ("errors", errs),
                ("server RSS at start", f"{rss['start']:.0f} MB"),
                *[(f"server RSS after {n} sessions", f"{mb:.0f} MB") for n, mb in rss["after_sessions"].items()],
                (f"server RSS after {rss['idle_s']:g} s idle", f"{rss['after_idle']:.0f} MB"),
                (f"RSS growth {g['from']} -> {g['to']}", "-" if g["mb"] is None else
                 f"{g['mb']:+.0f} MB ({'within' if g['within_50_mb'] else 'NOT within'} 50 MB)"),
                ("server CPU per session", f"{variant['server_cpu_ms_per_session']} ms")]
    cpu, mem, client = variant["server_cpu"], variant["server_memory_mb"], variant["client"]
    per_process = (cpu or {}).get("seconds_per_process") or (cpu or {}).get("seconds_per_pid", {})
    out = [("sessions x seconds", f"{variant['sessions']} x {variant['seconds']:g} s on {variant['page']}"),
           ("updates (per s)", f"{variant['updates']} ({variant['updates_per_s']:.2f}/s)"),
           ("latency p50 / p95 / p99 (ms)", spread(variant["latency"]))]
    out += [(f"  {a}", spread(v)) for a, v in variant["latency_by_action"].items()]
    out += [("images (GETs) per update", f"{variant['images_per_update']} ({variant['image_gets_per_update']})")]
    out += [("first load p50 / p95 / p99 (ms)", spread(variant["first_load"])), ("errors", errs)]
    if cpu:
        out += [("server CPU per update", f"{cpu['ms_per_update']} ms")]
        if "everything_else_ms" in cpu:
            out += [("  the repair compute (bench/repair_speed.py)", f"{cpu['repair_compute_ms']} ms"),
                    ("  everything else", f"{cpu['everything_else_ms']} ms")]
        out += [
                ("server CPU (% of a core)", f"{cpu['percent_of_a_core']:.0f}%"
                 + (f" ({', '.join(f'{p}: {s:g} s' for p, s in per_process.items())})"
                    if len(per_process) > 1 else "")),
                ("server RSS start / loaded / end", f"{mem['start']:.0f} / {mem['loaded']:.0f} / {mem['end']:.0f} MB")]
        out += [("server core busy (anyone)", f"{variant['cores_busy_percent'].get(f'cpu{SERVER_CORE}')}%")]
    out += [("client core busy (the client itself)",
             f"{client['core_busy_percent']}% ({client['process_percent_of_a_core']:.0f}%)")]
    return out


def table(variants: list[dict]) -> str:
    """A Markdown table, one column per variant."""
    lines = ["| | " + " | ".join(v["label"] for v in variants) + " |", "|---" + "|---:" * len(variants) + "|"]
    columns = [rows(v) for v in variants]
    for i, (what, _) in enumerate(columns[0]):
        lines.append(f"| {what} | " + " | ".join(c[i][1] if i < len(c) else "" for c in columns) + " |")
    return "\n".join(lines)


def overhead_ratio(variants: list[dict]) -> str:
    """With two variants split in two: the second's "everything else" per update as a share of the first's."""
    cpus = [v.get("server_cpu") or {} for v in variants]
    if len(variants) != 2 or not all("everything_else_ms" in c for c in cpus):
        return ""
    before, now = (c["everything_else_ms"] for c in cpus)
    return (f"Everything but the repair compute, per update: {before:g} ms -> {now:g} ms, "
            f"{now / before:.2f} of {variants[0]['label']}'s (target <= 1/3).")


def markdown(result: dict) -> str:
    setup = result["setup"]
    what = ("Sessions connect one after another, each loads Repair, makes one update and closes; server RSS "
            "(VmRSS of its process tree) after every step. Streamlit keeps up to 128 closed sessions for 2 "
            "minutes in case their browser reconnects (`streamlit/runtime/memory_session_storage.py`): the "
            "figures include those." if setup["churn"] else
            f"Each session pauses {setup['think_s']:g} s +-50% between updates. An update: rerun sent -> "
            "`script_finished` -> every image it named fetched. CPU and latency over the load window only (after "
            "every session loaded); server CPU is its process tree's utime + stime; a core's busy share counts "
            "anyone's work (this machine is shared).")
    return (f"## Websocket {'churn' if setup['churn'] else 'load'}: `{result['section']}`\n\n"
            f"Generated on {result['created']} by `{result['command']}`: server pinned to core {SERVER_CORE}, "
            f"the client (all sessions, one process) to core {CLIENT_CORE}. {what} "
            f"Raw figures: `{setup['out']}`.\n\n{table(result['variants'])}\n\n{result['notes']}\n")


def relative_arg(arg: str) -> str:
    """A command-line word as the results may show it: a path on this machine relative to the repository."""
    return os.path.relpath(arg, REPO) if os.path.isabs(arg) else arg


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Streamlit websocket sessions (no browser) against one server.")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=30, help="length of the load window, s (default 30)")
    parser.add_argument("--page", choices=sorted(PAGES), default="repair", help="page under load (default repair)")
    parser.add_argument("--think", type=float, default=5, help="mean pause between updates, s, +-50%% (default 5)")
    parser.add_argument("--ramp", type=float, default=5, help="the sessions' first loads start over this many "
                                                               "seconds (default 5)")
    parser.add_argument("--updates", type=int, default=10**9, help="stop a session after this many updates "
                                                                   "(default: no limit, only --seconds)")
    parser.add_argument("--timeout", type=float, default=30, help="an update slower than this is an error, s "
                                                                  "(default 30)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sessions' choices (default 0)")
    parser.add_argument("--lang", default="en", help="the sessions' language, as ?lang= (default en)")
    parser.add_argument("--churn", type=int, default=0, help="churn mode: this many sessions one after another "
                                                             "(default 0: off)")
    parser.add_argument("--concurrency", type=int, default=5, help="churn: sessions at a time (default 5)")
    parser.add_argument("--churn-step", type=int, default=100, help="churn: read RSS every this many sessions "
                                                                    "(default 100)")
    parser.add_argument("--idle", type=float, default=10, help="churn: idle seconds before the last RSS (default 10)")
    parser.add_argument("--app-dir", type=Path, default=REPO, help="the checkout to serve (default this repository)")
    parser.add_argument("--compare", metavar="REV", help="benchmark REV (a temporary git worktree), then the "
                                                         "working tree (default: off)")
    parser.add_argument("--replicas", type=int, default=0, help="one server, then this many replicas behind "
                        "HAProxy (deploy/serve.py), same load (default 0: off)")
    parser.add_argument("--url", help="target a running server or proxy, e.g. http://127.0.0.1:8080 (default: "
                                      "start one)")
    parser.add_argument("--server-pids", help="with --url: comma-separated pids whose CPU and memory to read")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/ws_load.json, "
                                                 "ws_load_churn.json with --churn)")
    parser.add_argument("--section", help="section of docs/BENCHMARKS.md to write (default: the name of --out)")
    parser.add_argument("--split-runs", type=int, default=200,
                        help="repair: updates bench/repair_speed.py times first, to split the server's CPU per "
                             "update into the repair compute and everything else; 0: no split (default 200)")
    parser.add_argument("--report", action=argparse.BooleanOptionalAction, default=True,
                        help="write that section (default on)")
    args = parser.parse_args(argv)
    if args.url and urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url: localhost only")
    if sum(map(bool, (args.url, args.compare, args.replicas, args.churn))) > 1:
        parser.error("--url, --compare, --replicas and --churn exclude each other")
    if args.url and args.churn and not args.server_pids:
        parser.error("--churn with --url measures memory: name the server's processes with --server-pids")
    args.out = args.out or RESULTS.with_name("ws_load_churn.json" if args.churn else RESULTS.name)
    args.section = args.section or args.out.stem
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cores = sorted(os.sched_getaffinity(0))
    if not {SERVER_CORE, CLIENT_CORE} <= set(cores):
        raise SystemExit(f"needs cores {SERVER_CORE} and {CLIENT_CORE}; this process may run on {cores}")
    os.sched_setaffinity(0, {CLIENT_CORE})
    load_before = os.getloadavg()
    compute = repair_compute(args.split_runs) if args.page == "repair" and args.split_runs and not args.churn else None
    if args.replicas:
        variants = bench_replicas(args)
    elif args.compare:
        variants = compare(args)
    elif args.url:
        variants = [bench_variant(args.url, None, args, 0)]
    else:
        app_dir = args.app_dir.resolve()
        variants = [bench_variant(working_tree() if app_dir == REPO else app_dir.name, app_dir, args, 0)]
    if compute:
        split_cpu(variants, compute)
    notes = overhead_ratio(variants) if args.compare else efficiency(variants) if args.replicas else ""
    words = sys.argv[1:] if argv is None else list(argv)
    result = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python bench/ws_load.py", *map(relative_arg, words)]),
        "section": args.section,
        "setup": {"think_s": args.think, "ramp_s": args.ramp, "timeout_s": args.timeout, "seed": args.seed,
                  "lang": args.lang,
                  "churn": args.churn, "actions": {a: w for a, (w, _) in PAGES[args.page].actions.items()},
                  "server_core": SERVER_CORE, "client_core": CLIENT_CORE, "cpu_count": os.cpu_count(),
                  "loadavg_1_5_15_before": [round(v, 2) for v in load_before],
                  "loadavg_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
                  "data_dir": relative_arg(server_env().get("AE_DATA_DIR", "")) or None,
                  "out": relative_arg(str(args.out.resolve()))},
        "repair_compute": compute,
        "notes": notes,
        "variants": variants,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(table(variants))
    print(notes)
    if args.report:
        update_section(args.section, markdown(result))
    print(f"-> {result['setup']['out']}" + (f", docs/BENCHMARKS.md section {args.section!r}" if args.report else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
