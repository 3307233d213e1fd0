"""Repair: damage a digit, then watch the autoencoders and classical inpainting repair it, with numbers."""

import numpy as np
import streamlit as st
import torch

from ae_core import benchmark, metrics, noise
from ae_core.config import CODELESS
from ae_core.models import has_code
from ae_core.superres import is_superres_model
from ui import space
from ui.digits import digit_label, digit_source
from ui.figures import region_tables, show_side_by_side
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

st.title("Repair")
st.write(
    "Damage a digit and let four autoencoder methods and three classical inpainting algorithms repair it: "
    "OpenCV's Telea and Navier-Stokes (the lecture's) and biharmonic inpainting, the strongest of them. "
    "The lecture's claim is that the autoencoder \"actually does better\": here are the pictures *and* "
    "the numbers, and who wins. Every image uses the same grey scale, so what looks darker is darker."
)

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
    """Back to the defaults: forget the setup, the widgets' values and the URL."""
    for key in [k for k in st.session_state if k.startswith("repair_")]:
        del st.session_state[key]
    st.query_params.clear()


def pick_models() -> dict[str, tuple[str, torch.nn.Module]]:
    """The (checkpoint name, model) for each role, from a picker listing every checkpoint by its card (but the
    super-resolution models, which are trained to enlarge, not to repair)."""
    cards = {c["name"]: c for c in all_cards() if not is_superres_model(c)}
    picks = st.session_state.setdefault("repair_models", {})
    models, broken = {}, {}
    with st.expander("Models", icon=":material/model_training:"):
        columns = st.columns(len(ROLES))
        for column, (role, title) in zip(columns, ROLES.items(), strict=True):
            names = [n for n, c in cards.items() if role != "projection" or c["model"]["arch"] not in CODELESS]
            if not names:
                column.info(f"No checkpoint can serve as the {title}.")
                continue
            default = picks.get(role, DEFAULT_MODELS[role])
            name = column.selectbox(title, names, index=names.index(default) if default in names else 0,
                                    key=f"repair_model_{role}", format_func=lambda n: _describe(cards[n]))
            picks[role] = name
            try:
                models[role] = name, load_model(name)[0]
            except ValueError as err:
                broken[name] = str(err)
    # Outside the (collapsed) expander, so they are seen: broken checkpoints, then any pick that fails to load.
    broken_model_notice()
    for name, error in broken.items():
        st.error(f"{name} cannot be used: {error} Pick another model under Models.")
    return models


def _describe(card: dict) -> str:
    m, t = card["model"], card["training"]
    code = "no code" if m["arch"] in CODELESS else f"d={m['code_size']}"
    yours = ", yours" if card.get("session") else ""
    return f"{card['name']} ({m['arch']}, {code}, trained on {t['noise']}{yours})"


def damage_controls(clean: np.ndarray) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The damage widgets; returns (damaged, known), each (1, 28, 28), or None if nothing is painted yet."""
    kinds = list(DAMAGES)
    # One row that wraps on a narrow screen (a phone gets the damage, then its settings), so no label is cut.
    row = st.container(horizontal=True, vertical_alignment="bottom")
    kind = row.selectbox("Damage", kinds, index=kinds.index(setup["damage"]), format_func=DAMAGES.get,
                         key="repair_damage", width=CONTROL_PX)
    setup["damage"] = kind
    x = torch.from_numpy(clean)[None]  # (1, 28, 28)
    if kind in ("dropout", "mask"):
        setup["p"] = row.slider("p, the fraction of pixels dropped", 0.0, 1.0, float(setup["p"]), 0.05,
                                key="repair_p", width=SLIDER_PX)
        new_noise = row.button("New noise", key="repair_new_noise", icon=":material/refresh:")
        if new_noise:
            setup["seed"] = (setup["seed"] + 1) % 2**31
            st.session_state.pop("repair_seed", None)
        setup["seed"] = row.number_input("Seed", 0, 2**31 - 1, int(setup["seed"]), key="repair_seed",
                                         width=SEED_PX)
        return noise.corrupt(x, kind, setup["p"], seed=setup["seed"])
    if kind == "patch":
        size = row.slider("Patch size (pixels)", 1, 28, 10, key="repair_patch_size", width=SLIDER_PX)
        top = row.slider("Top", 0, 27, 9, key="repair_patch_top", width=SLIDER_PX)
        left_edge = row.slider("Left", 0, 27, 9, key="repair_patch_left", width=SLIDER_PX)
        return noise.patch(x, top=top, left=left_edge, size=size)
    if kind == "gaussian":
        sigma = row.slider("sigma (on [-1, 1] pixels)", 0.0, 2.0, 0.5, 0.05, key="repair_sigma", width=SLIDER_PX)
        return noise.gaussian(x, sigma, seed=setup["seed"])
    return painted_damage(x)


def painted_damage(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Paint over the digit: painted pixels are removed (grey), as with the lecture's bad pixels."""
    from streamlit_drawable_canvas import st_canvas

    background = png_bytes(to_uint8(x[0].numpy(), PAINT_PX // 28))
    result = st_canvas(stroke_width=18, stroke_color="rgba(255, 80, 80, 1)", background_image=background,
                       height=PAINT_PX, width=PAINT_PX, return_image_data=True, key="repair_paint")
    st.caption("Paint over the part of the digit to remove; the toolbar undoes and clears.")
    if result.image_data is None or not result.image_data[:, :, 3].any():
        st.info("Paint over part of the digit to damage it.")
        return None
    painted = result.image_data[:, :, 3].reshape(28, PAINT_PX // 28, 28, PAINT_PX // 28).mean(axis=(1, 3)) > 64
    return noise.given_mask(x, torch.from_numpy(~painted)[None])


def show_results(clean: np.ndarray, damaged: torch.Tensor, known: torch.Tensor, models: dict) -> None:
    x = torch.from_numpy(clean)[None]  # (1, 28, 28)
    outputs = benchmark.repair_all(x, damaged, known, methods_for(models))
    for name, (out, _) in list(outputs.items()):
        if out is not None and not torch.isfinite(out).all():  # a model whose training diverged
            st.warning(f"{name}: the model's output is not finite (NaN or infinity), so it is left out. "
                       "Pick another model under Models.")
            del outputs[name]
    grid = {"original": clean, "damaged": damaged[0].clamp(-1, 1).numpy(),
            "mask (white = damaged)": np.where(known[0].numpy(), -1.0, 1.0)}
    grid |= {name: out[0].numpy() for name, (out, _) in outputs.items() if out is not None}
    image_row({breakable(name): image for name, image in grid.items()}, width=DIGIT_PX)

    table = score(x, {name: out for name, (out, _) in outputs.items() if out is not None}, known)
    denoising = models.get("denoising", (None,))[0]
    st.markdown(verdict_sentence(table["psnr"].to_dict(), "on this digit", lecture=denoising))
    show_side_by_side(region_tables(table))
    skipped = [name for name, (out, _) in outputs.items() if out is None]
    note = (f"{', '.join(skipped)}: not applicable, no pixel is known, so inpainting has nothing to start from."
            if skipped else BIHARMONIC_NOTE)
    # One caption, not two: every element costs the server a message per update.
    st.caption(" · ".join(metrics.METRIC_INFO.values()) + ". Both tables sorted by whole-image PSNR; the best "
               f"of each column in bold. {note}")
    # Made on click, not on every update: no PNG encoded and stored per rerun, and no stored file for the
    # browser to check; under load (bench/load.py) that check sometimes found the file already swept: a 404.
    st.download_button("Download the comparison (PNG)", lambda: png_bytes(comparison_png(grid)),
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


source_column, _ = st.columns([3, 2])
with source_column:
    clean = digit_source("repair")
st.button("Reset to the defaults", key="repair_reset", on_click=reset, icon=":material/restart_alt:")
if clean is None:
    st.stop()
setup["class"] = st.session_state.get("repair_saved_class", DEFAULTS["class"])
setup["index"] = st.session_state.get("repair_saved_index", DEFAULTS["index"])
st.caption(f"Current digit: {digit_label('repair')}")
models = pick_models()
if not any(has_code(model) for _, model in models.values()):
    st.warning("No autoencoder checkpoint could be loaded: only classical inpainting is compared.")
damage_and_repair(clean, models)
