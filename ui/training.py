"""The Train page's plumbing: one training queue per server, bounded model lists in each browser's space.

A browser's jobs and uploaded checkpoints are its space's (ui.space: `space.jobs()`, `space.uploads()`,
which ui.loaders reads into every page's pickers); their files live in its folder, under `trained/<name>/`
and `uploaded/<name>/`. Any name a user supplies (typed, or an uploaded file's) is reduced to a safe slug
before it gets anywhere near a path.
"""

import os
import re
import shutil
import time
from pathlib import Path

import streamlit as st

from ae_core import checkpoint
from ae_core.config import ModelConfig, TrainConfig
from ae_core.jobs import FINISHED, TrainingJob, TrainingQueue
from ui import space
from ui.loaders import model_names
from ui.space import jobs, uploads

MAX_TRAININGS_ENV = "AE_MAX_TRAININGS"
MAX_SESSION_MODELS = 3  # models a browser keeps; starting another one removes the oldest
MAX_UPLOADS = 3  # uploaded checkpoints a browser keeps; another one replaces the oldest
NAME_CHARS = 40

@st.cache_resource
def training_queue() -> TrainingQueue:
    """The server's one queue: at most $AE_MAX_TRAININGS (default 1) trainings run at once, so the other
    core stays free for everyone's pages. Created once, when the server first needs it; it also clears
    out the spaces no browser has used for space.STALE_AFTER_S."""
    base = space.base()
    if base.is_dir():
        for folder in base.iterdir():
            if folder.is_dir() and time.time() - folder.stat().st_mtime > space.STALE_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)
    return TrainingQueue(max_running=max(1, int(os.environ.get(MAX_TRAININGS_ENV) or 1)))


def in_flight() -> TrainingJob | None:
    """This browser's queued or running job, if any (a browser trains one model at a time)."""
    return next((job for job in jobs() if job.state not in FINISHED), None)


def safe_name(text: str, taken: set[str]) -> str:
    """A checkpoint name from what the user typed: runs of other characters become "_", at most 40
    characters, "my_model" if nothing is left, and "_2", "_3"... until it clashes with nothing in `taken`."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text or "").strip("_-")[:NAME_CHARS].strip("_-") or "my_model"
    name, n = slug, 2
    while name in taken:
        name, n = f"{slug}_{n}", n + 1
    return checkpoint.check_name(name)


def start(job_name: str, model_cfg: ModelConfig, train_cfg: TrainConfig, limit: int | None) -> TrainingJob:
    """Queue a new job for this browser, first removing its oldest models beyond MAX_SESSION_MODELS - 1."""
    while len(jobs()) >= MAX_SESSION_MODELS:
        remove(jobs()[0])
    job = TrainingJob(job_name, model_cfg, train_cfg, space.space().folder / "trained" / job_name, limit=limit)
    jobs().append(job)
    training_queue().submit(job)
    return job


def remove(job: TrainingJob) -> None:
    """Forget a job and delete its files (cancelling it first if it still runs)."""
    if job.state not in FINISHED:
        training_queue().cancel(job)
    jobs().remove(job)
    shutil.rmtree(job.folder, ignore_errors=True)


def taken_names() -> set[str]:
    """Every name a new model must not take: shipped, trained or uploaded by this browser."""
    return set(model_names()) | {job.name for job in jobs()} | set(uploads())


def add_upload(files: dict[str, bytes]) -> str:
    """Install uploaded checkpoint files ({file name: bytes}: a zip, or a card and its weights) as a model
    of this browser, named after the first file; returns its name. Raises ValueError (a CheckpointError)
    saying what is wrong, in which case nothing is kept. Beyond MAX_UPLOADS, the oldest upload goes."""
    card, weights = checkpoint.unpack(files)
    name = safe_name(Path(sorted(files)[0]).stem, taken_names())
    folder = space.space().folder / "uploaded" / name
    checkpoint.install(card, weights, name, folder)
    uploads()[name] = folder
    while len(uploads()) > MAX_UPLOADS:
        remove_upload(next(iter(uploads())))
    return name


def remove_upload(name: str) -> None:
    """Forget an uploaded checkpoint and delete its files."""
    shutil.rmtree(uploads().pop(name), ignore_errors=True)


def forget() -> None:
    """"Forget my models and digits": stop this browser's training, delete its models and saved digits."""
    for job in jobs():
        if job.state not in FINISHED:
            training_queue().cancel(job)
    space.forget()

