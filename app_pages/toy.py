"""Toy manifolds: a standard, a denoising and a contractive autoencoder trained on a 1-D curve in 2-D or 3-D."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sample_colorscale

from ae_core import toy
from ui.i18n import N_, _, number
from ui.loaders import limit_torch_threads
from ui.plots import fit_width

CURVES = {"2-D": toy.curve_2d, "3-D": toy.curve_3d}
CURVE_LABELS = {"2-D": N_("2-D"), "3-D": N_("3-D")}
PENALTY_LABELS = {"output": N_("the model, ‖∂x̂/∂x‖²"), "code": N_("the code, ‖∂h/∂x‖² (lecture)")}
KIND_LABELS = {"standard": N_("standard"), "denoising": N_("denoising"), "contractive": N_("contractive")}
KIND_TITLES = {"standard": N_("standard autoencoder"), "denoising": N_("denoising autoencoder"),
               "contractive": N_("contractive autoencoder")}
TRAINING = {"standard": N_("Training the standard autoencoder..."),
            "denoising": N_("Training the denoising autoencoder..."),
            "contractive": N_("Training the contractive autoencoder...")}
COLUMNS = {"mean distance, on": N_("mean distance, on"), "mean distance, far": N_("mean distance, far"),
           "response along": N_("response along"), "response across": N_("response across"),
           "‖∂h/∂x‖ on": N_("‖∂h/∂x‖ on"), "seconds to train": N_("seconds to train")}


def observation(r: toy.ToyResult, standard: toy.ToyResult, penalty: str) -> str:
    """One sentence on what a model does, with its measured numbers."""
    if r.kind == "standard":
        return _("Points on the curve move {on:.3f} on average, far points {far:.3f}: with more hidden units than "
                 "inputs the plain autoencoder comes close to copying its input (it responds {along:.2f} along the "
                 "curve and {across:.2f} across it).", on=r.on_mean, far=r.far_mean, along=r.along, across=r.across)
    if r.kind == "denoising":
        return _("Points on the curve stay (they move {on:.3f}), far points travel far ({far:.3f}): trained to undo "
                 "noise, the denoising autoencoder pulls them back onto the curve.", on=r.on_mean, far=r.far_mean)
    if penalty == "output":
        return _("Sensitive along the curve ({along:.2f}), insensitive across it ({across:.2f}, the standard model "
                 "{standard:.2f}): a move off the manifold is undone, and far points travel {far:.3f} back towards "
                 "it.", along=r.along, across=r.across, standard=standard.across, far=r.far_mean)
    return _("The lecture's penalty contracts the code (‖∂h/∂x‖ on the curve {jacobian:.2f}, the standard model "
             "{standard:.2f}), but the free linear decoder scales it back up: the output still responds "
             "{across:.2f} across the curve. Penalise the whole model to see the lecture's picture.",
             jacobian=r.on_code_jac, standard=standard.on_code_jac, across=r.across)


limit_torch_threads()  # app.py does this too; repeated so the page trains on one thread when run alone

st.title(_("Toy manifolds"))
st.write(_(
    "The lecture's toy examples (Figs. 15–19): points on a 1-D curve, in the plane or curling through 3-D, "
    "and three small autoencoders trained on them (one tanh hidden layer of 64 units, a linear output). "
    "Each arrow starts at a point of a grid and ends where the model sends it; its colour is the distance "
    "travelled. The red line is the learned manifold: the model's outputs along the curve."
))

left, mid, right = st.columns(3)
curve_name = left.radio(_("Curve"), list(CURVES), horizontal=True, key="toy_curve",
                        format_func=lambda v: _(CURVE_LABELS[v]))
sigma = mid.slider(_("Noise σ of the denoising AE"), 0.05, 0.5, 0.2, 0.05, key="toy_sigma")
lam = right.select_slider(_("λ of the contractive AE"), [0.01, 0.03, 0.1, 0.3, 1.0], 0.03, key="toy_lambda",
                          format_func=number)
penalty = right.radio(_("Contractive penalty on"), toy.PENALTIES, horizontal=True, key="toy_penalty",
                      format_func=lambda v: _(PENALTY_LABELS[v]),
                      help=_("The lecture's loss penalises the code's Jacobian. With a free linear decoder that "
                             "contracts the code, not the model: the decoder scales it back up. Penalising the "
                             "whole model's Jacobian shows the behaviour the lecture describes."))
if st.button(_("Train"), key="toy_train", type="primary"):
    st.session_state["toy_started"] = True
if not st.session_state.get("toy_started"):
    st.info(_("Press **Train** to train the three autoencoders (about a second each)."))
    st.stop()


@st.cache_data(show_spinner=False, max_entries=96)
def data(curve_name: str) -> tuple[np.ndarray, np.ndarray]:
    """(500 noisy points (500, D), the clean curve (M, D))."""
    return CURVES[curve_name](500, noise=0.02, seed=0)


@st.cache_data(show_spinner=False, max_entries=96)
def study(curve_name: str, kind: str, sigma: float, lam: float, penalty: str) -> toy.ToyResult:
    """One trained model's picture, once per setting: reruns and returns to a setting are instant."""
    points, curve = data(curve_name)
    return toy.study(kind, points, curve, noise_sigma=sigma, lam=lam, penalty=penalty)


def arrows_2d(r: toy.ToyResult, cmax: float, bins: int = 8) -> list[go.Scatter]:
    """Grid-to-output segments in `bins` line traces, each coloured by its distance band (a 2-D line has one colour)."""
    band = np.minimum((r.grid_dist / cmax * bins).astype(int), bins - 1)  # (G,)
    colours = sample_colorscale("Viridis", [(b + 0.5) / bins for b in range(bins)])
    traces = []
    for b in range(bins):
        start, end = r.grid_in[band == b], r.grid_out[band == b]  # (g, 2)
        x = np.stack([start[:, 0], end[:, 0], np.full(len(start), np.nan)], axis=1).ravel()  # (3g,)
        y = np.stack([start[:, 1], end[:, 1], np.full(len(start), np.nan)], axis=1).ravel()
        traces.append(go.Scatter(x=[None if np.isnan(v) else v for v in x], y=[None if np.isnan(v) else v for v in y],
                                 mode="lines", line=dict(color=colours[b], width=1.5), hoverinfo="skip",
                                 showlegend=False))
    return traces


def figure(points: np.ndarray, r: toy.ToyResult) -> go.Figure:
    """Data, learned manifold and grid arrows coloured by distance travelled (None separates the segments)."""
    dim = points.shape[1]
    segments = np.full((len(r.grid_in) * 3, dim), np.nan)  # (3G, D): start, end, gap
    segments[0::3], segments[1::3] = r.grid_in, r.grid_out
    colours = np.repeat(r.grid_dist, 3)  # one colour per segment vertex
    axes = [segments[:, i].tolist() for i in range(dim)]
    axes = [[None if np.isnan(v) else v for v in a] for a in axes]
    cmax = max(float(r.grid_dist.max()), 1e-6)
    arrow_line = dict(color=colours.tolist(), colorscale="Viridis", cmin=0, cmax=cmax, width=2)
    ends = dict(size=3 if dim == 3 else 5, color=r.grid_dist, colorscale="Viridis", cmin=0, cmax=cmax,
                colorbar=dict(title=_("distance")))
    if dim == 2:
        traces = [
            go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name=_("training data"),
                       marker=dict(size=3, color="lightgrey")),
            *arrows_2d(r, cmax),
            go.Scatter(x=r.grid_out[:, 0], y=r.grid_out[:, 1], mode="markers", name=_("where the grid goes"),
                       marker=ends, text=[number(d, ".2f") for d in r.grid_dist]),
            go.Scatter(x=r.curve_out[:, 0], y=r.curve_out[:, 1], mode="lines", name=_("learned manifold"),
                       line=dict(color="red", width=3)),
        ]
        layout = dict(xaxis=dict(scaleanchor="y"), height=420)
    else:
        traces = [
            go.Scatter3d(x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="markers", name=_("training data"),
                         marker=dict(size=2, color="lightgrey")),
            go.Scatter3d(x=axes[0], y=axes[1], z=axes[2], mode="lines", name=_("arrows"), hoverinfo="skip",
                         line=arrow_line),
            go.Scatter3d(x=r.grid_out[:, 0], y=r.grid_out[:, 1], z=r.grid_out[:, 2], mode="markers",
                         name=_("where the grid goes"), marker=ends),
            go.Scatter3d(x=r.curve_out[:, 0], y=r.curve_out[:, 1], z=r.curve_out[:, 2], mode="lines",
                         name=_("learned manifold"), line=dict(color="red", width=5)),
        ]
        layout = dict(height=480, scene=dict(aspectmode="cube"))
    fig = go.Figure(traces)
    fig.update_layout(**layout)
    return fit_width(fig)


points, _curve = data(curve_name)
studies = []
bar = st.progress(0.0)
with st.spinner(_("Training the three autoencoders...")):
    for i, kind in enumerate(toy.KINDS):
        bar.progress(i / len(toy.KINDS), text=_(TRAINING[kind]))
        studies.append(study(curve_name, kind, sigma, lam, penalty))
bar.empty()
for column, r in zip(st.columns(3), studies, strict=True):
    column.markdown(f"**{_(KIND_TITLES[r.kind])}**")
    column.plotly_chart(figure(points, r), key=f"toy_chart_{r.kind}", width="stretch")
    column.caption(observation(r, studies[0], penalty))

st.subheader(_("How far points travel, and how much the output responds"))
st.write(_("*On*: the clean curve's points; *far*: grid points more than 0.4 from the curve. *Along* and "
           "*across*: how far the output moves per unit move of the input along the curve and across it, on the "
           "curve (1 and 1 for a copy; 1 and 0 for a projection onto the curve). ‖∂h/∂x‖: the code's Jacobian, "
           "what the lecture's penalty shrinks."))
st.dataframe(
    {
        "model": [_(KIND_LABELS[r.kind]) for r in studies],
        "mean distance, on": [round(r.on_mean, 3) for r in studies],
        "mean distance, far": [round(r.far_mean, 3) for r in studies],
        "response along": [round(r.along, 2) for r in studies],
        "response across": [round(r.across, 2) for r in studies],
        "‖∂h/∂x‖ on": [round(r.on_code_jac, 2) for r in studies],
        "seconds to train": [round(r.seconds, 2) for r in studies],
    },
    key="toy_table", hide_index=True,
    column_config={"model": st.column_config.TextColumn(_("model"))}
    | {key: st.column_config.Column(_(label)) for key, label in COLUMNS.items()},
)
