"""The Train page's plumbing: one training queue per server, a folder per session, bounded model lists.

A session's jobs live in `st.session_state[SESSION_JOBS]` (ui.loaders reads the finished ones into every
page's pickers) and their checkpoints in `<base>/<session id>/<model name>/`, where base is
$AE_SESSION_MODELS_DIR or the system's temp folder. The user's model name is reduced to a safe slug before
it gets anywhere near a path.
"""

import io
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import streamlit as st

from ae_core import checkpoint
from ae_core.jobs import TrainingJob, TrainingQueue
from ui.loaders import SESSION_JOBS

SESSION_DIR_ENV = "AE_SESSION_MODELS_DIR"
MAX_TRAININGS_ENV = "AE_MAX_TRAININGS"
MAX_SESSION_MODELS = 3  # models a session keeps; starting another one removes the oldest
STALE_AFTER_S = 24 * 3600  # session folders untouched this long are removed when the server starts
NAME_CHARS = 40


def _base() -> Path:
    return Path(os.environ.get(SESSION_DIR_ENV) or Path(tempfile.gettempdir()) / "ae-lab-models")


@st.cache_resource
def training_queue() -> TrainingQueue:
    """The server's one queue: at most $AE_MAX_TRAININGS (default 1) trainings run at once, so the other
    core stays free for everyone's pages. Created once, when the server first needs it; it also clears
    out the folders that sessions of earlier days left behind."""
    base = _base()
    if base.is_dir():
        for folder in base.iterdir():
            if folder.is_dir() and time.time() - folder.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)
    return TrainingQueue(max_running=max(1, int(os.environ.get(MAX_TRAININGS_ENV) or 1)))


def jobs() -> list[TrainingJob]:
    """This session's jobs, oldest first."""
    return st.session_state.setdefault(SESSION_JOBS, [])


def in_flight() -> TrainingJob | None:
    """This session's queued or running job, if any (a session trains one model at a time)."""
    return next((job for job in jobs() if job.state in ("queued", "running")), None)


def safe_name(text: str, taken: set[str]) -> str:
    """A checkpoint name from what the user typed: runs of other characters become "_", at most 40
    characters, "my_model" if nothing is left, and "_2", "_3"... until it clashes with nothing in `taken`."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text or "").strip("_-")[:NAME_CHARS].strip("_-") or "my_model"
    name, n = slug, 2
    while name in taken:
        name, n = f"{slug}_{n}", n + 1
    return checkpoint.check_name(name)


def _session_folder() -> Path:
    session = st.session_state.setdefault("train_session_id", uuid.uuid4().hex)
    return _base() / session


def start(job_name: str, model_cfg, train_cfg, limit: int | None) -> TrainingJob:
    """Queue a new job for this session, first removing its oldest models beyond MAX_SESSION_MODELS - 1."""
    while len(jobs()) >= MAX_SESSION_MODELS:
        remove(jobs()[0])
    job = TrainingJob(job_name, model_cfg, train_cfg, _session_folder() / job_name, limit=limit)
    jobs().append(job)
    training_queue().submit(job)
    return job


def remove(job: TrainingJob) -> None:
    """Forget a job and delete its files (cancelling it first if it still runs)."""
    if job.state in ("queued", "running"):
        training_queue().cancel(job)
    jobs().remove(job)
    shutil.rmtree(job.folder, ignore_errors=True)


def checkpoint_zip(job: TrainingJob) -> bytes:
    """The job's checkpoint as a zip: `<name>.json` (the card) and its safetensors weights, the two
    files ae_core.checkpoint.load reads from any folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        card = job.folder / f"{job.name}.json"
        archive.write(card, card.name)
        weights = checkpoint.weights_path(job.name, job.folder)
        archive.write(weights, weights.name)
    return buffer.getvalue()
