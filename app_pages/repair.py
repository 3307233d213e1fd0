"""Repair: damage a digit, then watch the autoencoders and classical inpainting repair it, with numbers."""

import numpy as np
import streamlit as st
import torch

from ae_core import benchmark, metrics, noise
from ae_core.config import CODELESS
from ae_core.models import has_code
from ae_core.superres import is_superres_model
from ui import labels, space
from ui.digits import digit_label, digit_source
from ui.figures import figure_info, method_label, region_tables, show_side_by_side
from ui.i18n import _, translated
from ui.images import breakable, image_row, png_bytes, to_uint8
from ui.loaders import all_cards, broken_model_notice, load_model
from ui.repair import (
    BIHARMONIC_NOTE,
    DAMAGES,
    DEFAULT_MODELS,
    DEFAULTS,
    ROLES,
    comparison_png,
    methods_for,
    read_setup,
    score,
)
from ui.verdict import verdict_sentence

PAINT_PX = 280  # the painting canvas: 10 screen pixels per digit pixel
# Ten results in one row at 1280 px (the sidebar open), four in a row on a 390-px phone.
DIGIT_PX = 76
CONTROL_PX, SLIDER_PX, SEED_PX = 200, 260, 128  # the damage row's widths: it fits a phone, one item per line

st.title(_("Repair"))
st.write(_(
    "Damage a digit and let four autoencoder methods and three classical inpainting algorithms repair it: "
    "OpenCV's Telea and Navier-Stokes (the lecture's) and biharmonic inpainting, the strongest of them. "
    "The lecture's claim is that the autoencoder \"actually does better\": here are the pictures *and* "
    "the numbers, and who wins. Every image uses the same grey scale, so what looks darker is darker."
))

# The setup, on this page's first run in a session: the URL's if it has one (a shared link wins), else this
# browser's from its last visit (restored by ui.space), else the defaults. Then it lives in our own session key.
if "repair_url_read" not in st.session_state:
    st.session_state.repair_url_read = True
    if set(st.query_params) & set(DEFAULTS) or "repair_setup" not in st.session_state:
        setup, problems = read_setup(st.query_params.to_dict())
        st.session_state.repair_setup = setup
        st.session_state.repair_saved_class, st.session_state.repair_saved_index = setup["class"], setup["index"]
        for problem in problems:
            st.warning(problem)
setup = st.session_state.repair_setup


def reset() -> None:
    """Back to the defaults: forget the setup, the widgets' values and the setup in the URL (only this page's
    keys: the URL's ?lang= is the language selectbox's, bound to it, and stays)."""
    for key in [k for k in st.session_state if k.startswith("repair_")]:
        del st.session_state[key]
    for key in DEFAULTS:
        st.query_params.pop(key, None)


def pick_models() -> dict[str, tuple[str, torch.nn.Module]]:
    """The (checkpoint name, model) for each role, from a picker listing every checkpoint by its card (but the
    super-resolution models, which are trained to enlarge, not to repair)."""
    cards = {c["name"]: c for c in all_cards() if not is_superres_model(c)}
    picks = st.session_state.setdefault("repair_models", {})
    models, broken = {}, {}
    with st.expander(_("Models"), icon=":material/model_training:"):
        columns = st.columns(len(ROLES))
        for column, (role, title) in zip(columns, ROLES.items(), strict=True):
            names = [n for n, c in cards.items() if role != "projection" or c["model"]["arch"] not in CODELESS]
            if not names:
                column.info(_("No checkpoint can serve as the {role}.", role=_(title)))
                continue
            default = picks.get(role, DEFAULT_MODELS[role])
            name = column.selectbox(_(title), names, index=names.index(default) if default in names else 0,
                                    key=f"repair_model_{role}", format_func=lambda n: _describe(cards[n]))
            picks[role] = name
            try:
                models[role] = name, load_model(name)[0]
            except ValueError as err:
                broken[name] = translated(err)
    # Outside the (collapsed) expander, so they are seen: broken checkpoints, then any pick that fails to load.
    broken_model_notice()
    for name, error in broken.items():
        st.error(_("{name} cannot be used: {error} Pick another model under Models.", name=name, error=error))
    return models


def _describe(card: dict) -> str:
    """A picker's line for a checkpoint: "standard_d30 (linear, d=30, trained on none)"."""
    m, t = card["model"], card["training"]
    code = _("no code") if m["arch"] in CODELESS else f"d={m['code_size']}"
    values = {"name": card["name"], "arch": labels.architecture(m["arch"]), "code": code,
              "noise": labels.noise(t["noise"])}
    if card.get("session"):
        return _("{name} ({arch}, {code}, trained on {noise}, yours)", **values)
    return _("{name} ({arch}, {code}, trained on {noise})", **values)


def damage_controls(clean: np.ndarray) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The damage widgets; returns (damaged, known), each (1, 28, 28), or None if nothing is painted yet."""
    kinds = list(DAMAGES)
    # One row that wraps on a narrow screen (a phone gets the damage, then its settings), so no label is cut.
    row = st.container(horizontal=True, vertical_alignment="bottom")
    kind = row.selectbox(_("Damage"), kinds, index=kinds.index(setup["damage"]), format_func=lambda k: _(DAMAGES[k]),
                         key="repair_damage", width=CONTROL_PX)
    setup["damage"] = kind
    x = torch.from_numpy(clean)[None]  # (1, 28, 28)
    if kind in ("dropout", "mask"):
        setup["p"] = row.slider(_("p, the fraction of pixels dropped"), 0.0, 1.0, float(setup["p"]), 0.05,
                                key="repair_p", width=SLIDER_PX)
        new_noise = row.button(_("New noise"), key="repair_new_noise", icon=":material/refresh:")
        if new_noise:
            setup["seed"] = (setup["seed"] + 1) % 2**31
            st.session_state.pop("repair_seed", None)
        setup["seed"] = row.number_input(_("Seed"), 0, 2**31 - 1, int(setup["seed"]), key="repair_seed",
                                         width=SEED_PX)
        return noise.corrupt(x, kind, setup["p"], seed=setup["seed"])
    if kind == "patch":
        size = row.slider(_("Patch size (pixels)"), 1, 28, 10, key="repair_patch_size", width=SLIDER_PX)
        top = row.slider(_("Top"), 0, 27, 9, key="repair_patch_top", width=SLIDER_PX)
        left_edge = row.slider(_("Left"), 0, 27, 9, key="repair_patch_left", width=SLIDER_PX)
        return noise.patch(x, top=top, left=left_edge, size=size)
    if kind == "gaussian":
        sigma = row.slider(_("sigma (on [-1, 1] pixels)"), 0.0, 2.0, 0.5, 0.05, key="repair_sigma",
                           width=SLIDER_PX)
        return noise.gaussian(x, sigma, seed=setup["seed"])
    return painted_damage(x)


def painted_damage(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Paint over the digit: painted pixels are removed (grey), as with the lecture's bad pixels."""
    from streamlit_drawable_canvas import st_canvas

    background = png_bytes(to_uint8(x[0].numpy(), PAINT_PX // 28))
    result = st_canvas(stroke_width=18, stroke_color="rgba(255, 80, 80, 1)", background_image=background,
                       height=PAINT_PX, width=PAINT_PX, return_image_data=True, key="repair_paint")
    st.caption(_("Paint over the part of the digit to remove; the toolbar undoes and clears."))
    if result.image_data is None or not result.image_data[:, :, 3].any():
        st.info(_("Paint over part of the digit to damage it."))
        return None
    painted = result.image_data[:, :, 3].reshape(28, PAINT_PX // 28, 28, PAINT_PX // 28).mean(axis=(1, 3)) > 64
    return noise.given_mask(x, torch.from_numpy(~painted)[None])


def show_results(clean: np.ndarray, damaged: torch.Tensor, known: torch.Tensor, models: dict) -> None:
    x = torch.from_numpy(clean)[None]  # (1, 28, 28)
    outputs = benchmark.repair_all(x, damaged, known, methods_for(models))
    for name, (out, _seconds) in list(outputs.items()):
        if out is not None and not torch.isfinite(out).all():  # a model whose training diverged
            st.warning(_("{name}: the model's output is not finite (NaN or infinity), so it is left out. "
                         "Pick another model under Models.", name=method_label(name)))
            del outputs[name]
    # The captions, in the session's language (the grid is only ever shown: here and in the download).
    grid = {_("original"): clean, _("damaged"): damaged[0].clamp(-1, 1).numpy(),
            _("mask (white = damaged)"): np.where(known[0].numpy(), -1.0, 1.0)}
    grid |= {method_label(name): out[0].numpy() for name, (out, _seconds) in outputs.items() if out is not None}
    image_row({breakable(name): image for name, image in grid.items()}, width=DIGIT_PX)

    table = score(x, {name: out for name, (out, _seconds) in outputs.items() if out is not None}, known)
    denoising = models.get("denoising", (None,))[0]
    st.markdown(verdict_sentence(table["psnr"].to_dict(), _("on this digit"), lecture=denoising))
    show_side_by_side(region_tables(table))
    skipped = [method_label(name) for name, (out, _seconds) in outputs.items() if out is None]
    note = (_("{methods}: not applicable, no pixel is known, so inpainting has nothing to start from.",
              methods=", ".join(skipped)) if skipped else _(BIHARMONIC_NOTE))
    # One caption, not two: every element costs the server a message per update.
    st.caption(_("{figures}. Both tables sorted by whole-image PSNR; the best of each column in bold. {note}",
                 figures=" · ".join(figure_info(key) for key in metrics.METRIC_INFO), note=note))
    # Made on click, not on every update: no PNG encoded and stored per rerun, and no stored file for the
    # browser to check; under load (bench/load.py) that check sometimes found the file already swept: a 404.
    st.download_button(_("Download the comparison (PNG)"), lambda: png_bytes(comparison_png(grid)),
                       file_name="ae-lab-repair.png", mime="image/png", icon=":material/download:",
                       key="repair_download")


@st.fragment
def damage_and_repair(clean: np.ndarray, models: dict) -> None:
    """Damage and results: changing p, the seed or the damage reruns only this part of the page."""
    damage = damage_controls(clean)
    if setup["damage"] != "painted":
        st.query_params.update({"class": setup["class"], "index": setup["index"], "damage": setup["damage"],
                                "p": f"{setup['p']:g}", "seed": setup["seed"]})
    if damage is not None:
        show_results(clean, *damage, models)
    space.save_state()  # a fragment's rerun does not pass through app.py, which saves after a full one


source_column, _right = st.columns([3, 2])
with source_column:
    clean = digit_source("repair")
st.button(_("Reset to the defaults"), key="repair_reset", on_click=reset, icon=":material/restart_alt:")
if clean is None:
    st.stop()
setup["class"] = st.session_state.get("repair_saved_class", DEFAULTS["class"])
setup["index"] = st.session_state.get("repair_saved_index", DEFAULTS["index"])
st.caption(_("Current digit: {digit}", digit=digit_label("repair")))
models = pick_models()
if not any(has_code(model) for _name, model in models.values()):
    st.warning(_("No autoencoder checkpoint could be loaded: only classical inpainting is compared."))
damage_and_repair(clean, models)
