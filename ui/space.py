"""This browser's private space: its models and its digits survive a reload, a reopened tab and a server restart.

A random token (256 bits, `secrets.token_urlsafe`) lives in a cookie, AE_LAB_SPACE, which the app sets when
a browser first comes (and renews at each visit) and which no link carries (shared links hold Repair's setup
in the query string, never the token). The token names a folder under $AE_SESSION_MODELS_DIR (default: the
system's temp folder): its SHA-256 in hex, so neither the token's characters nor its length can steer the
path, and a folder's name does not give the token away. A cookie that is not a well-formed token (made up,
tampered with) is replaced by a new one: an empty space, no error. The folder holds

    trained/<name>/    the models trained on the Train page (ae_core.jobs writes them there)
    uploaded/<name>/   the checkpoints brought to the Train page
    state.json         each page's digit-source choices and digit label, Repair's setup and model picks
    <page>_digit.npy   each page's current digit (28x28 float32)

Every session of one browser on one server process (tabs, reloads) shares one `Space` in memory, so a reload
even finds a training that is still running; after a server restart the finished models are read back from
the folder. Folders untouched for STALE_AFTER_S are deleted when a server first opens its training queue.
"""

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from ae_core import checkpoint
from ae_core.config import ModelConfig, TrainConfig
from ae_core.jobs import TrainingJob

SESSION_DIR_ENV = "AE_SESSION_MODELS_DIR"
SESSION_JOBS = "train_jobs"  # session key: the browser's ae_core.jobs.TrainingJob list, oldest first
SESSION_UPLOADS = "uploaded_models"  # session key: the browser's {name: folder} of uploaded checkpoints
COOKIE = "AE_LAB_SPACE"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes
STALE_AFTER_S = 24 * 3600  # a space unused this long is deleted when a server (re)starts its training queue
STATE_FILE = "state.json"
# Session keys kept in state.json: each page's digit and its label, the digit sources' remembered choices
# (ui.digits: <page>_saved_source, _class, _index), Repair's setup and its model picks.
KEPT_KEY = re.compile(r"[a-z_]+_(digit|digit_label|saved_[a-z]+)|repair_setup|repair_models")
DIGIT_KEY = re.compile(r"[a-z_]+_digit")


def base() -> Path:
    """The folder that holds every browser's space."""
    return Path(os.environ.get(SESSION_DIR_ENV) or Path(tempfile.gettempdir()) / "ae-lab-models")


def folder_for(token: str) -> Path:
    """The space of `token`: a folder directly under base(), named by the token's SHA-256 (64 hex digits)."""
    return base() / hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Space:
    """One browser's models, shared by its sessions on this server process: trained jobs (oldest first) and
    uploaded checkpoints ({name: folder}, oldest first)."""

    folder: Path
    jobs: list[TrainingJob] = field(default_factory=list)
    uploads: dict[str, Path] = field(default_factory=dict)


@st.cache_resource
def _spaces() -> tuple[dict[Path, Space], threading.Lock]:
    """Every browser's Space on this server process, by folder, and the lock that guards creating one."""
    return {}, threading.Lock()


def token() -> str:
    """This browser's token: the cookie's if it is well-formed, else a new one. Read once per session, which
    also (re)sets the cookie: a new token is stored, a known one lives another STALE_AFTER_S."""
    if "space_token" not in st.session_state:
        cookie = st.context.cookies.get(COOKIE)
        valid = isinstance(cookie, str) and TOKEN.fullmatch(cookie)  # (AppTest has no cookies, only a stand-in)
        st.session_state.space_token = cookie if valid else secrets.token_urlsafe(32)
        _set_cookie(st.session_state.space_token)
    return st.session_state.space_token


def _set_cookie(value: str) -> None:
    """Store the token in this browser: a first-party cookie for the whole site, for STALE_AFTER_S."""
    st.html(f"<script>document.cookie = '{COOKIE}={value}; Max-Age={STALE_AFTER_S}; Path=/; SameSite=Lax';"
            "</script>", unsafe_allow_javascript=True)


def space() -> Space:
    """This browser's Space, read back from its folder the first time this server process meets it. Looked
    up once per session (pages ask for it several times a run)."""
    if "space_current" not in st.session_state:
        folder = folder_for(token())
        spaces, lock = _spaces()
        with lock:
            if folder not in spaces:
                spaces[folder] = _read_space(folder)
            st.session_state.space_current = spaces[folder]
    return st.session_state.space_current


def jobs() -> list[TrainingJob]:
    """This browser's training jobs, oldest first: the Space's own list, held in the session too (a test can
    put a list of its own there)."""
    if SESSION_JOBS not in st.session_state:
        st.session_state[SESSION_JOBS] = space().jobs
    return st.session_state[SESSION_JOBS]


def uploads() -> dict[str, Path]:
    """This browser's uploaded checkpoints, {name: folder}, oldest first (the Space's, as `jobs`)."""
    if SESSION_UPLOADS not in st.session_state:
        st.session_state[SESSION_UPLOADS] = space().uploads
    return st.session_state[SESSION_UPLOADS]


def _read_space(folder: Path) -> Space:
    """A Space from what its folder holds: every complete trained checkpoint as a finished job, every upload."""
    found = Space(folder)
    for model in _oldest_first(folder / "trained"):
        try:
            card = checkpoint.read_card(model.name, model)
            found.jobs.append(TrainingJob(
                model.name, ModelConfig(**card["model"]), TrainConfig(**card["training"]), model, state="done",
                epoch=card["epochs"], epochs_saved=card["epochs"], epoch_losses=list(card.get("history", [])),
                metrics=card.get("metrics"), started=0.0, ended=float(card.get("seconds", 0.0))))
        except (ValueError, KeyError, TypeError):
            continue  # a run that never saved an epoch, or a damaged card: nothing to offer
    for upload in _oldest_first(folder / "uploaded"):
        found.uploads[upload.name] = upload
    return found


def _oldest_first(parent: Path) -> list[Path]:
    """The subfolders of `parent` (none if it is missing), oldest first."""
    if not parent.is_dir():
        return []
    return sorted((p for p in parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)


def restore_state() -> None:
    """Once per session, before any page runs: put this browser's saved digits and choices back into the
    session. A page that finds them uses them as if the user had just made them."""
    if st.session_state.get("space_restored"):
        return
    st.session_state.space_restored = True
    folder = space().folder
    try:
        os.utime(folder)  # used today: the stale-space sweep counts from here
        saved = json.loads((folder / STATE_FILE).read_text())
        saved |= {path.stem: np.load(path) for path in folder.glob("*.npy")
                  if DIGIT_KEY.fullmatch(path.stem)}
    except (OSError, ValueError):
        return  # nothing saved yet, or a file cut short: start afresh
    for key, value in saved.items():
        if KEPT_KEY.fullmatch(key) and key not in st.session_state:
            st.session_state[key] = value
    st.session_state.space_saved = _fingerprints(_kept())


def save_state() -> None:
    """Write what changed of this session's digits and choices to the browser's space: each digit as
    <key>.npy, the small values together as state.json, each file replaced whole (write, then rename).

    Called after every run, so finding that nothing changed is cheap (a hash of each digit's bytes), and a
    change of p writes a few hundred bytes, not every digit. A disk that refuses the write costs nothing but
    the saving: the next run tries again."""
    kept = _kept()
    prints = _fingerprints(kept)
    before = st.session_state.get("space_saved", {})
    if prints == before:
        return
    folder = space().folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        changed = {key for key in prints.keys() | before.keys() if prints.get(key) != before.get(key)}
        for key in filter(DIGIT_KEY.fullmatch, changed):
            if key in kept:
                _replace(folder / f"{key}.npy", _npy(kept[key]))
            else:  # forgotten (Repair's reset)
                (folder / f"{key}.npy").unlink(missing_ok=True)
        if any(not DIGIT_KEY.fullmatch(key) for key in changed):
            small = {key: value for key, value in kept.items() if not DIGIT_KEY.fullmatch(key)}
            _replace(folder / STATE_FILE, json.dumps(small).encode("utf-8"))
    except OSError:
        return
    st.session_state.space_saved = prints


def _replace(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a file beside it, then rename it into place: a reader sees the old
    file or the new one, never half of one."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _npy(digit: np.ndarray) -> bytes:
    """A digit as the bytes of a .npy file: exact float32, which np.load reads back without unpickling anything
    (its default)."""
    buffer = io.BytesIO()
    np.save(buffer, digit)
    return buffer.getvalue()


def _kept() -> dict:
    """The session's values that the space keeps, by key."""
    return {key: st.session_state[key] for key in list(st.session_state.keys()) if KEPT_KEY.fullmatch(key)}


def _fingerprints(kept: dict) -> dict:
    """For each kept value, something that changes when it does: a hash of a digit's bytes (valid within this
    server process), a small value's JSON."""
    return {key: hash(value.tobytes()) if isinstance(value, np.ndarray) else json.dumps(value, sort_keys=True)
            for key, value in kept.items()}


def forget() -> None:
    """Delete this browser's models and saved state, here and on disk (ui.training.forget first stops a
    training). The lists are emptied in place: every open tab of the browser shares them."""
    jobs().clear()
    uploads().clear()
    shutil.rmtree(space().folder, ignore_errors=True)
    for key in [key for key in st.session_state if KEPT_KEY.fullmatch(key)]:
        del st.session_state[key]
    st.session_state.pop("space_saved", None)
