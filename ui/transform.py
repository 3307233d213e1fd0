"""What the Transformations page needs beyond ui.loaders: each model's sweep yardsticks, the sweeps' settings,
and what bench/transform.py measured over many test digits.

The yardsticks (ae_core.transform: the median pixel and code distances between random pairs of test digits)
are stored beside a shipped checkpoint; for a model trained or uploaded in this session they are computed
once per weights file from the loaded test digits, as ui.loaders does for latent maps.
"""

import streamlit as st

from ae_core import checkpoint, transform
from ui.i18n import N_, LazyText, _, number
from ui.loaders import bench_results, load_model, model_folder, session_models, test_digits

# Per kind: the range slider's (min, max, step, format) and the plot's axis title (the default sweeps are
# ae_core.transform.DEFAULT_SWEEPS).
SLIDERS = {"zoom": (0.3, 2.0, 0.05, "%.2f×"), "shift": (-14.0, 14.0, 1.0, "%+.0f px"),
           "rotation": (-180.0, 180.0, 5.0, "%+.0f°"), "brightness": (0.0, 2.0, 0.05, "%.2f×")}
AXIS_TITLES = {"zoom": N_("zoom (×, about the centre)"), "shift": N_("shift to the right (pixels)"),
               "rotation": N_("rotation (degrees, counter-clockwise)"), "brightness": N_("brightness (× the ink)")}
DECIMALS = {"zoom": 2, "shift": 1, "rotation": 0, "brightness": 2}  # fewest decimals a value label has


def _label(kind: str, value: float, decimals: int) -> str:
    if kind == "shift":
        return f"{number(value, f'+.{decimals}f')} px"
    if kind == "rotation":
        return f"{number(value, f'+.{decimals}f')}°"
    return f"{number(value, f'.{decimals}f')}×"


def value_labels(kind: str, values) -> list[str]:
    """The sweep's values as the page writes them ("+3.0 px", "-45°", "1.20×"), with as many decimals as
    keep them apart (they caption the frames, so two frames must not share one)."""
    for decimals in range(DECIMALS[kind], DECIMALS[kind] + 6):
        labels = [_label(kind, float(v), decimals) for v in values]
        if len(set(labels)) == len(labels):
            break
    return labels


def step_label(kind: str, step: float) -> str:
    """The size of one step of a sweep: "1 px", "7.5°", "0.0667 in the zoom factor"."""
    step = abs(float(step))
    if kind == "shift":
        return f"{number(step, '.3g')} px"
    if kind == "rotation":
        return f"{number(step, '.3g')}°"
    if kind == "zoom":
        return _("{step:.3g} in the zoom factor", step=step)
    return _("{step:.3g} in the brightness factor", step=step)


def has_scales(name: str) -> bool:
    """Whether `name` has sweep yardsticks: stored beside a shipped checkpoint, or computed on demand for a
    model of this session."""
    return name in session_models() or transform.scales_path(name).is_file()


@st.cache_resource(show_spinner=LazyText(N_("Measuring random pairs of test digits...")), max_entries=16)
def _session_scales(name: str, sha256: str, _model) -> dict:
    """A session model's yardsticks over the loaded test digits, computed once per weights file."""
    digits = test_digits()
    return transform.summarize(_model, digits.images, source=digits.source, sha256=sha256)


def scales(name: str) -> dict:
    """The yardsticks of `name`: the stored file, or computed for a session model. ValueError (with the
    command that computes them) when a shipped model's file is missing or unreadable."""
    if name in session_models():
        card = checkpoint.read_card(name, model_folder(name))
        model = load_model(name)[0]
        return _session_scales(name, card["sha256"], model)
    return transform.load_scales(name)


def typical(name: str, kind: str) -> tuple[dict, dict] | None:
    """(bench/transform.py's medians for `name` under the default sweep of `kind`, the run's meta), or None
    when the bench has not measured that model (not run, unreadable, or a model of this session)."""
    try:
        results = bench_results("transform")
        row = results["kinds"][kind]["models"].get(name)
        return (row, results["meta"]) if row else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
