"""Kernels: the encoder weights W_h of two linear autoencoders as images, and how much lies off the digits."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ae_core import kernels
from ae_core.models import encoder_kernels
from ui.i18n import N_, _, n_, number, translated
from ui.loaders import all_cards, broken_model_notice, data_notice, load_model, test_digits
from ui.plots import fit_width

SIDES = {"standard": "standard_d30", "denoising": "denoising_d500"}  # side -> default checkpoint
ORDERS = {"index": N_("by index"), "norm": N_("largest L2 norm first")}
SIDE_LABELS = {"standard": N_("Model (standard side)"), "denoising": N_("Model (denoising side)")}
# The table's columns (language-free keys) and their headers.
COLUMNS = {"kernels": N_("kernels d"), "energy": N_("energy outside the region"), "outside": N_("mean |w| outside"),
           "inside": N_("mean |w| inside"), "ratio": N_("outside / inside")}
PER_ROW = 10

st.title(_("Kernels"))
st.write(_(
    "A linear autoencoder's code unit j computes h_j = tanh(w_j · x + b_j): its row w_j of the encoder "
    "weight W_h, reshaped to 28×28, is the pattern that unit looks for. The lecture compares these kernels "
    "for the standard autoencoder (d = 30) and the denoising one (d = 500): the denoising kernels are flat "
    "outside the area where digits are drawn, the standard ones are noisy everywhere. Here are both, and "
    "the numbers behind that observation. Red is negative, blue positive, white zero."
))

broken_model_notice()
linear_names = [c["name"] for c in all_cards() if c["model"]["arch"] == "linear"]
if not linear_names:
    st.info(_("No linear autoencoder was found in checkpoints/. Train one with "
              "`python -m ae_core.train --name my_model` and reload this page."))
    st.stop()
digits = test_digits()
data_notice(digits)
region = kernels.digit_region(digits.images)  # (28, 28) bool

controls = st.columns(2)
count = controls[0].slider(_("Kernels to show"), 1, 64, 30, key="kernels_count")
order = controls[1].radio(_("Order"), list(ORDERS), format_func=lambda o: _(ORDERS[o]), horizontal=True,
                          key="kernels_order")


def heatmap(image: np.ndarray, label: np.ndarray | None, limit: float, height: int) -> go.Figure:
    """One heatmap of kernel weights on a diverging scale centred at 0 (symmetric limits ±`limit`),
    image-like (row 0 on top, square pixels); `label` names the kernel under the cursor."""
    hover = "w = %{z:.4f}<extra></extra>"
    if label is not None:
        hover = _("kernel {index}", index="%{customdata}") + "<br>" + hover
    figure = go.Figure(go.Heatmap(z=image, customdata=label, colorscale="RdBu", zmin=-limit, zmax=limit,
                                  hovertemplate=hover, hoverongaps=False))
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_layout(height=height)
    return fit_width(figure)


def region_outline() -> go.Contour:
    """The digit region's border as a black line, to lay over a 28x28 heatmap."""
    return go.Contour(z=region.astype(float), contours={"start": 0.5, "end": 0.5, "coloring": "none"},
                      line={"color": "black", "width": 1.5}, showscale=False, hoverinfo="skip")


def show_side(side: str, column) -> dict | None:
    """One model's kernels, its picker and an enlarged kernel; returns its figures for the table."""
    default = SIDES[side]
    index = linear_names.index(default) if default in linear_names else 0
    name = column.selectbox(_(SIDE_LABELS[side]), linear_names, index=index, key=f"kernels_model_{side}")
    try:
        w = encoder_kernels(load_model(name)[0]).numpy()  # (d, 28, 28)
    except ValueError as err:
        column.error(_("{name} cannot be used: {error} Pick another model.", name=name, error=translated(err)))
        return None
    d = len(w)
    shown = (kernels.by_norm(w) if order == "norm" else np.arange(d))[:count]  # (n,) kernel indices
    image, label = kernels.tile(w[shown], labels=shown, per_row=PER_ROW)
    limit = float(np.abs(w[shown]).max())
    rows = -(-len(shown) // PER_ROW)
    column.plotly_chart(heatmap(image, label, limit, height=60 + 55 * rows), key=f"kernels_grid_{side}",
                        width="stretch")
    column.caption(n_("{name}: {shown} of its {d} kernel, {order}; colour scale ±{limit:.3f}, the largest |w| "
                      "shown. Hover for the kernel number.",
                      "{name}: {shown} of its {d} kernels, {order}; colour scale ±{limit:.3f}, the largest |w| "
                      "shown. Hover for the kernel number.",
                      d, name=name, shown=len(shown), d=d, order=_(ORDERS[order]), limit=limit))

    pick_key = f"kernels_pick_{side}"
    if st.session_state.get(pick_key, 0) > d - 1:  # the other model had more kernels
        st.session_state[pick_key] = d - 1
    pick = column.number_input(_("Enlarge kernel (0 to {last})", last=d - 1), 0, d - 1, key=pick_key)
    kernel = w[pick]  # (28, 28)
    zoom = heatmap(kernel, None, float(np.abs(kernel).max()) or 1.0, height=380)
    zoom.add_trace(region_outline())
    column.plotly_chart(zoom, key=f"kernels_zoom_{side}", width="stretch")
    column.caption(_("Kernel {pick} of {name}, on its own colour scale. Black line: the digit region.", pick=pick,
                     name=name))

    outside, inside = kernels.mean_abs(w, region)
    return {"model": name, "kernels": d, "energy": kernels.energy_outside(w, region), "outside": outside,
            "inside": inside, "ratio": outside / inside if inside else float("nan")}


columns = st.columns(2)
figures = [f for f in (show_side(side, col) for side, col in zip(SIDES, columns, strict=True)) if f is not None]

st.subheader(_("Flat outside the digits?"))
if figures:
    formats = {"energy": lambda v: _("{percent:.1f}%", percent=100 * v), "outside": lambda v: number(v, ".4f"),
               "inside": lambda v: number(v, ".4f"), "ratio": lambda v: number(v, ".2f")}
    table = pd.DataFrame(figures).set_index("model").rename_axis(_("model"))
    headers = {key: _(title) for key, title in COLUMNS.items()}
    st.table(table.rename(columns=headers).style.format({headers[key]: f for key, f in formats.items()}))
# The shares go in as "1%" texts: a "% o" in a message id would read as a printf placeholder to the catalogue tools.
st.caption(_(
    "The digit region is the {pixels} pixels where at least {least} of the {n:,} test digits have ink (a pixel "
    "above {ink} on [-1, 1], a quarter of full brightness); the other {background} of the image is background "
    "in over {most} of them. Energy is the sum of w² over all of a model's kernels: kernels that ignored the "
    "background would put {none} of it there, kernels spread evenly about {background}.",
    pixels=region.sum(), least=_("{percent:.0f}%", percent=100 * kernels.MIN_FRACTION), n=len(digits),
    ink=kernels.INK, background=_("{percent:.0f}%", percent=100 * (~region).mean()),
    most=_("{percent:.0f}%", percent=99), none=_("{percent:.0f}%", percent=0)))
