"""The Train page's plumbing: one training queue per server, a folder per session, bounded model lists.

A session's jobs live in `st.session_state[SESSION_JOBS]` and its uploaded checkpoints in
`st.session_state[SESSION_UPLOADS]` (ui.loaders reads both into every page's pickers); their files live in
`<base>/<session id>/trained/<name>/` and `.../uploaded/<name>/`, where base is $AE_SESSION_MODELS_DIR or
the system's temp folder. Any name a user supplies (typed, or an uploaded file's) is reduced to a safe
slug before it gets anywhere near a path.
"""

import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import streamlit as st

from ae_core import checkpoint
from ae_core.config import ModelConfig, TrainConfig
from ae_core.jobs import FINISHED, TrainingJob, TrainingQueue
from ui.loaders import SESSION_JOBS, SESSION_UPLOADS, model_names

SESSION_DIR_ENV = "AE_SESSION_MODELS_DIR"
MAX_TRAININGS_ENV = "AE_MAX_TRAININGS"
MAX_SESSION_MODELS = 3  # models a session keeps; starting another one removes the oldest
MAX_UPLOADS = 3  # uploaded checkpoints a session keeps; another one replaces the oldest
STALE_AFTER_S = 24 * 3600  # session folders untouched this long are removed when the server starts
NAME_CHARS = 40


def _base() -> Path:
    """The folder that holds every session's models."""
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
    return next((job for job in jobs() if job.state not in FINISHED), None)


def safe_name(text: str, taken: set[str]) -> str:
    """A checkpoint name from what the user typed: runs of other characters become "_", at most 40
    characters, "my_model" if nothing is left, and "_2", "_3"... until it clashes with nothing in `taken`."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text or "").strip("_-")[:NAME_CHARS].strip("_-") or "my_model"
    name, n = slug, 2
    while name in taken:
        name, n = f"{slug}_{n}", n + 1
    return checkpoint.check_name(name)


def _session_folder() -> Path:
    """This session's own folder under _base(), named by a random id kept in its session state."""
    session = st.session_state.setdefault("train_session_id", uuid.uuid4().hex)
    return _base() / session


def start(job_name: str, model_cfg: ModelConfig, train_cfg: TrainConfig, limit: int | None) -> TrainingJob:
    """Queue a new job for this session, first removing its oldest models beyond MAX_SESSION_MODELS - 1."""
    while len(jobs()) >= MAX_SESSION_MODELS:
        remove(jobs()[0])
    job = TrainingJob(job_name, model_cfg, train_cfg, _session_folder() / "trained" / job_name, limit=limit)
    jobs().append(job)
    training_queue().submit(job)
    return job


def remove(job: TrainingJob) -> None:
    """Forget a job and delete its files (cancelling it first if it still runs)."""
    if job.state not in FINISHED:
        training_queue().cancel(job)
    jobs().remove(job)
    shutil.rmtree(job.folder, ignore_errors=True)


def uploads() -> dict[str, Path]:
    """This session's uploaded checkpoints, {name: folder}, oldest first."""
    return st.session_state.setdefault(SESSION_UPLOADS, {})


def taken_names() -> set[str]:
    """Every name a new model must not take: shipped, trained here, uploaded here."""
    return set(model_names()) | {job.name for job in jobs()} | set(uploads())


def add_upload(files: dict[str, bytes]) -> str:
    """Install uploaded checkpoint files ({file name: bytes}: a zip, or a card and its weights) as a model
    of this session, named after the first file; returns its name. Raises ValueError (a CheckpointError)
    saying what is wrong, in which case nothing is kept. Beyond MAX_UPLOADS, the oldest upload goes."""
    card, weights = checkpoint.unpack(files)
    name = safe_name(Path(sorted(files)[0]).stem, taken_names())
    checkpoint.install(card, weights, name, _session_folder() / "uploaded" / name)
    uploads()[name] = _session_folder() / "uploaded" / name
    while len(uploads()) > MAX_UPLOADS:
        remove_upload(next(iter(uploads())))
    return name


def remove_upload(name: str) -> None:
    """Forget an uploaded checkpoint and delete its files."""
    shutil.rmtree(uploads().pop(name), ignore_errors=True)
