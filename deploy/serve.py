"""Serve AE Lab to a classroom: N Streamlit processes of app.py behind HAProxy, with sticky sessions.

    make serve                               # one replica per core, on http://localhost:8501
    make serve REPLICAS=2 HOST=0.0.0.0       # two replicas, open to the LAN
    .venv/bin/python deploy/serve.py --help  # what `make serve` runs

Starts `streamlit run app.py` N times (the settings of `make run`, from .streamlit/config.toml) on the ports
after --port (PORT+1 ... PORT+N) and on 127.0.0.1 only, so that nobody reaches a replica past the proxy. All
replicas keep the browsers' spaces (their models and digits, ui/space.py) in one folder, $AE_SESSION_MODELS_DIR
(default: the system's temp folder/ae-lab-models), so any replica can serve any browser's space after a
restart. Once every replica answers /_stcore/health, runs HAProxy in
the foreground with deploy/haproxy.cfg on HOST:PORT: a new browser goes to the next replica in turn, then the
cookie AE_REPLICA keeps it there. Ctrl-C or SIGTERM stops everything, and so does any one process exiting.
AE_PROXY_LOG_LEVEL=info makes HAProxy log every request. docs/DEPLOY.md explains the design.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"
SERVERS_MARK = "    # @servers@"  # the template's line that becomes one `server` line per replica
HAPROXY_ENV = "AE_HAPROXY"
DEFAULT_HAPROXY = "/usr/sbin/haproxy"  # where Debian's package puts it
SESSION_DIR_ENV = "AE_SESSION_MODELS_DIR"  # read by ui/space.py
START_TIMEOUT_S = 120  # N replicas importing torch at once on a busy 2-core machine
STOP_TIMEOUT_S = 10
_print_lock = threading.Lock()


def haproxy_path() -> str:
    """The HAProxy executable: $AE_HAPROXY, else Debian's /usr/sbin/haproxy."""
    return os.environ.get(HAPROXY_ENV) or DEFAULT_HAPROXY


def free_ports(count: int) -> int:
    """The first of `count` consecutive localhost ports that are free now (a proxy's, then its replicas')."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        try:
            for port in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"found no {count} consecutive free ports")


def say(text: str) -> None:
    """Print one whole line at once: the children's relays print from their own threads."""
    with _print_lock:
        print(text, flush=True)


def render_config(ports: list[int]) -> str:
    """deploy/haproxy.cfg with the line `server appK 127.0.0.1:PORT cookie appK check` for each replica."""
    template = TEMPLATE.read_text()
    if SERVERS_MARK not in template:
        raise ValueError(f"{TEMPLATE} has no line {SERVERS_MARK.strip()!r} to put the servers in.")
    servers = [f"    server app{k} 127.0.0.1:{port} cookie app{k} check" for k, port in enumerate(ports, 1)]
    return template.replace(SERVERS_MARK, "\n".join(servers))


def _relay(name: str, stream) -> None:
    """Print a child's output line by line, prefixed with its name, until it closes."""
    for line in stream:
        say(f"[{name}] {line.rstrip()}")


def _start(name: str, cmd: list[str], env: dict) -> subprocess.Popen:
    """Start `cmd` in the repository with its output relayed under `name`."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    threading.Thread(target=_relay, args=(name, proc.stdout), daemon=True).start()
    return proc


def start_replica(k: int, port: int, models_base: Path) -> subprocess.Popen:
    """Replica k: `streamlit run app.py` on 127.0.0.1:port, the browsers' spaces in models_base (shared)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # its log lines as they come, not in blocks
    env[SESSION_DIR_ENV] = str(models_base)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]
    return _start(f"app{k}", cmd, env)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def listening(host: str, port: int) -> bool:
    """Whether host:port accepts a connection. Only connects: no request, so the round robin does not move."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _exited(procs: dict[str, subprocess.Popen]) -> str | None:
    """'<name> exited with code <n>' for the first process that is no longer running, else None."""
    return next((f"{name} exited with code {p.returncode}" for name, p in procs.items() if p.poll() is not None),
                None)


def _wait(what: str, ready, procs: dict[str, subprocess.Popen], stop: threading.Event) -> bool:
    """Wait until ready() is true; False if a process exits, a signal arrives or START_TIMEOUT_S passes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if stop.is_set():
            return False
        if exited := _exited(procs):
            say(f"serve: {exited} while waiting for {what}")
            return False
        if time.monotonic() > deadline:
            say(f"serve: no {what} within {START_TIMEOUT_S} s")
            return False
        stop.wait(0.25)
    return True


def stop_all(procs: dict[str, subprocess.Popen]) -> None:
    """SIGTERM every process still running, the proxy first; SIGKILL what has not exited STOP_TIMEOUT_S later."""
    for proc in reversed(procs.values()):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def missing_haproxy(path: str) -> None:
    """Say loudly that HAProxy is missing and how to install it."""
    bar = "#" * 78
    say(f"{bar}\n## HAProxy not found at {path}: `make serve` puts it in front of the Streamlit processes.\n"
        f"## Install it (Debian/Ubuntu), then run `make serve` again:\n##   sudo apt-get install -y haproxy\n"
        f"## (`make serve` installs it itself when run as root.)\n{bar}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                        help="Streamlit processes to start (default: the number of cores, %(default)s here)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address HAProxy listens on; 0.0.0.0 opens it to the LAN (default %(default)s)")
    parser.add_argument("--port", type=int, default=8501, help="port HAProxy listens on (default %(default)s)")
    parser.add_argument("--haproxy", default=haproxy_path(), help="HAProxy executable (default %(default)s)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if not (os.path.isfile(args.haproxy) and os.access(args.haproxy, os.X_OK)):
        missing_haproxy(args.haproxy)
        return 2
    ports = list(range(args.port + 1, args.port + 1 + args.replicas))
    models_base = Path(os.environ.get(SESSION_DIR_ENV) or Path(tempfile.gettempdir()) / "ae-lab-models")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    procs: dict[str, subprocess.Popen] = {}  # in start order: the replicas, then the proxy
    try:
        with tempfile.TemporaryDirectory(prefix="ae-lab-haproxy-") as tmp:
            for k, port in enumerate(ports, 1):
                procs[f"app{k}"] = start_replica(k, port, models_base)
            if not _wait("answer on /_stcore/health from every replica", lambda: all(_healthy(p) for p in ports),
                         procs, stop):
                return 0 if stop.is_set() else 1
            config = Path(tmp) / "haproxy.cfg"
            config.write_text(render_config(ports))
            env = dict(os.environ, AE_PROXY_HOST=args.host, AE_PROXY_PORT=str(args.port))
            procs["haproxy"] = _start("haproxy", [args.haproxy, "-db", "-f", str(config)], env)
            probe = "127.0.0.1" if args.host == "0.0.0.0" else args.host
            if not _wait(f"HAProxy listening on {args.host}:{args.port}", lambda: listening(probe, args.port),
                         procs, stop):
                return 0 if stop.is_set() else 1
            where = f"http://{'localhost' if probe == '127.0.0.1' else args.host}:{args.port}"
            lan = " and to the LAN (this machine's address: `hostname -I`)" if probe != args.host else ""
            say(f"serve: AE Lab is served at {where}{lan}: {args.replicas} Streamlit processes on ports "
                f"{', '.join(map(str, ports))} behind HAProxy. Ctrl-C stops everything.")
            while not stop.wait(0.5):
                if exited := _exited(procs):
                    say(f"serve: {exited}; stopping everything")
                    return 1
            say("serve: stopping everything")
            return 0
    finally:
        stop_all(procs)


if __name__ == "__main__":
    sys.exit(main())
