"""Training runs in child processes, watched from a long-lived server, with a cap on how many run at once.

A `TrainingJob` is one run of `python -m ae_core.train --events --save-every-epoch` into a folder of its
own. A `TrainingQueue` starts at most `max_running` of them at a time, first come first served; the rest
wait, and each can say how many jobs are ahead of it. A thread per job reads the child's JSON lines
(ae_core.train.emit) into the job, so a page can show progress, the loss curve and the outcome by reading
`job.snapshot()`.

Why a child process and not a thread: training then never holds the server's GIL (so other users' pages
stay fast), runs with one torch thread at a lower priority, cannot take the server down when it fails,
and is cancelled with SIGTERM: it finishes its batch and exits, keeping the checkpoint of its last full
epoch (ae_core.checkpoint writes are atomic, so even SIGKILL leaves that one loadable).
"""

import json
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ae_core import checkpoint
from ae_core.config import ModelConfig, TrainConfig
from ae_core.errors import InputError, Message
from ae_core.train import EXIT_STOPPED

# a job is "queued", then "running", then one of these ("stopped": cancelled, or SIGTERMed)
FINISHED = ("done", "stopped", "failed")
NICENESS = 10  # the child yields the CPU to the server under load
STDERR_TAIL = 2000  # characters of the child's stderr kept for the error message


@dataclass
class JobView:
    """A consistent copy of a job's state for display, taken under the job's lock."""

    name: str
    state: str
    steps_done: int
    steps_total: int
    epoch: int
    batch_losses: list[tuple[int, float]]  # (global step, loss), at most a few per second
    epoch_losses: list[float]
    epochs_saved: int
    note: str  # where the digits came from, if not the full MNIST set
    measuring: bool  # training is over and the model is being measured on the test digits
    message: str  # how it ended: why it failed, what was kept
    metrics: dict | None
    seconds: float | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def fraction(self) -> float:
        return min(1.0, self.steps_done / self.steps_total) if self.steps_total else 0.0


@dataclass
class TrainingJob:
    """One training run into `folder`/`name`.json; `limit`/`test_limit` cap the training/test digits."""

    name: str
    model: ModelConfig
    training: TrainConfig
    folder: Path
    limit: int | None = None
    test_limit: int | None = 2000
    state: str = "queued"
    steps_done: int = 0
    steps_total: int = 0
    epoch: int = 0
    batch_losses: list = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)
    epochs_saved: int = 0
    note: str = ""
    measuring: bool = False
    message: str = ""
    metrics: dict | None = None
    started: float | None = None
    ended: float | None = None
    cancel_requested: bool = False

    def __post_init__(self):
        checkpoint.check_name(self.name)
        self.folder = Path(self.folder)
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        """The child's command line: the training CLI, one thread, niced, reporting JSON lines."""
        m, t = self.model, self.training
        cmd = ["nice", "-n", str(NICENESS), sys.executable, "-m", "ae_core.train",
               "--name", self.name, "--out", str(self.folder), "--events", "--save-every-epoch",
               "--threads", "1", "--device", "cpu", "--arch", m.arch, "--code-size", str(m.code_size),
               "--channels", str(m.channels), "--epochs", str(t.epochs), "--batch-size", str(t.batch_size),
               "--lr", str(t.lr), "--loss", t.loss, "--noise", t.noise, "--p", str(t.p),
               "--contractive", str(t.contractive), "--seed", str(t.seed)]
        cmd += ["--tied"] if m.tied else []
        cmd += ["--cosine"] if t.cosine else []
        cmd += ["--p-max", str(t.p_max)] if t.p_max is not None else []
        cmd += ["--limit", str(self.limit)] if self.limit else []
        cmd += ["--test-limit", str(self.test_limit)] if self.test_limit else []
        return cmd

    def snapshot(self) -> JobView:
        with self._lock:
            seconds = None if self.started is None else (self.ended or time.monotonic()) - self.started
            return JobView(self.name, self.state, self.steps_done, self.steps_total, self.epoch,
                           list(self.batch_losses), list(self.epoch_losses), self.epochs_saved, self.note,
                           self.measuring, self.message, self.metrics, seconds)

    @property
    def has_model(self) -> bool:
        """True once the run is over and left a checkpoint (complete, or its last full epoch)."""
        return self.state in FINISHED and (self.folder / f"{self.name}.json").is_file()

    def cancel(self) -> None:
        """Stop the run: a queued job never starts; a running child gets SIGTERM and keeps its last epoch."""
        with self._lock:
            self.cancel_requested = True
            if self._process is not None and self._process.poll() is None:
                self._process.send_signal(signal.SIGTERM)

    def run(self) -> None:
        """Run the child to the end, folding its events into this job (called by the queue's thread)."""
        with self._lock:
            if self.cancel_requested:
                self.state, self.message = "stopped", Message("Cancelled before it started.")
                return
            self.state, self.started = "running", time.monotonic()
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 text=True, cwd=Path(__file__).resolve().parent.parent)
            except OSError as err:
                self.state, self.ended = "failed", time.monotonic()
                self.message = Message("Training could not start: {error}", error=str(err))
                return
        stderr = []
        reader = threading.Thread(target=lambda: stderr.append(self._process.stderr.read()), daemon=True)
        reader.start()
        for line in self._process.stdout:
            self._on_event(line)
        code = self._process.wait()
        reader.join()
        self._finish(code, "".join(stderr))

    def _on_event(self, line: str) -> None:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return  # a stray print from a library; the JSON lines are what count
        with self._lock:
            kind = event.get("event")
            if kind == "start":
                self.steps_total = event["steps"]
                self.note = (Message(event["note_template"], **event["note_values"]) if event["source"] != "mnist"
                             else "")
            elif kind == "batch":
                self.steps_done, self.epoch = event["step"], event["epoch"]
                self.batch_losses.append((event["step"], event["loss"]))
            elif kind == "epoch":
                self.epoch_losses.append(event["loss"])
                self.epochs_saved = event["epoch"] if event["saved"] else self.epochs_saved
            elif kind == "measuring":
                self.measuring = True
            elif kind == "done":
                self.metrics = event["metrics"]

    def _finish(self, code: int, stderr: str) -> None:
        with self._lock:
            self.ended, self.measuring = time.monotonic(), False
            if code == 0:
                self.state = "done"
                self.epochs_saved = len(self.epoch_losses)
                return
            epoch = self.epochs_saved
            if code == EXIT_STOPPED or (self.cancel_requested and code < 0):
                self.state = "stopped"
                self.message = (Message("Stopped. The model after epoch {epoch} is kept.", epoch=epoch) if epoch
                                else Message("Stopped. No epoch had finished, so there is no model."))
                return
            lines = [ln for ln in stderr[-STDERR_TAIL:].splitlines() if ln.strip()]
            reason = (Message("killed by signal {signal}", signal=-code) if code < 0 else lines[-1] if lines
                      else Message("exit status {status}", status=code))
            self.state = "failed"
            self.message = (Message("Training failed ({reason}). The model after epoch {epoch} is kept.",
                                    reason=reason, epoch=epoch) if epoch
                            else Message("Training failed ({reason}). No epoch had finished, so there is no model.",
                                         reason=reason))


class TrainingQueue:
    """At most `max_running` jobs train at once; the others wait in the order they were submitted."""

    def __init__(self, max_running: int = 1):
        if max_running < 1:
            raise InputError("At least one training must be allowed to run.")
        self.max_running = max_running
        self._running = 0
        self._waiting: deque[TrainingJob] = deque()
        self._changed = threading.Condition()

    def submit(self, job: TrainingJob) -> None:
        """Queue `job` and return at once; a thread of its own waits for a slot, then runs it."""
        with self._changed:
            self._waiting.append(job)
        threading.Thread(target=self._serve, args=(job,), daemon=True, name=f"train-{job.name}").start()

    def ahead_of(self, job: TrainingJob) -> int:
        """How many queued jobs start before `job` (0 if it is next, or not waiting at all)."""
        with self._changed:
            return self._waiting.index(job) if job in self._waiting else 0

    def running(self) -> int:
        with self._changed:
            return self._running

    def _serve(self, job: TrainingJob) -> None:
        with self._changed:
            self._changed.wait_for(lambda: job.cancel_requested or
                                   (self._waiting[0] is job and self._running < self.max_running))
            self._waiting.remove(job)
            started = not job.cancel_requested
            self._running += started
            self._changed.notify_all()
        try:
            job.run()
        finally:
            with self._changed:
                self._running -= started
                self._changed.notify_all()

    def cancel(self, job: TrainingJob) -> None:
        """Cancel `job`, waking its thread if it is still waiting for a slot."""
        job.cancel()
        with self._changed:
            self._changed.notify_all()


__all__ = ["FINISHED", "JobView", "TrainingJob", "TrainingQueue"]
