"""Transformations (the lecture's Figs. 5-8): sweep one digit through a zoom, shift, rotation or brightness change
and see how far the image moves in pixel space and how far, and how evenly, an autoencoder's code moves."""

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ae_core import latent, transform
from ae_core.inference import encode
from ui.digits import digit_label, digit_source
from ui.i18n import N_, _, translated
from ui.images import image_row
from ui.loaders import broken_model_notice, has_latent_map, latent_map, load_model, model_names
from ui.plots import fit_width
from ui.transform import AXIS_TITLES, SLIDERS, has_scales, scales, step_label, typical, value_labels

DEFAULT_MODEL = "standard_d30"
DEFAULT_KIND = "shift"
PALETTE = px.colors.qualitative.Safe[:10]  # the Latent map page's colours, one per class
KIND_LABELS = {"zoom": N_("Zoom"), "shift": N_("Shift"), "rotation": N_("Rotation"), "brightness": N_("Brightness")}
NOUNS = {"zoom": N_("zoom"), "shift": N_("shift"), "rotation": N_("rotation"), "brightness": N_("brightness")}
COPIES = {"zoom": N_("zoomed"), "shift": N_("shifted"), "rotation": N_("rotated"),
          "brightness": N_("brightened and darkened")}
COLOURS = {"pixel": "#555555", "code": "#d55e00"}  # grey for the pixels, vermilion for the code
LECTURE = {
    "zoom": N_("The lecture (Fig. 5): the zoomed copies of one image lie on a manifold with one degree of freedom, "
               "the zoom factor, inside the 784-dimensional pixel space."),
    "shift": N_("The lecture (Fig. 6): the shifted copies of one image lie on a manifold with one degree of freedom, "
                "yet a shift of a few pixels already moves the image far in pixel space, because the ink leaves "
                "the pixels it covered."),
    "rotation": N_("The lecture (Fig. 8): the rotated copies of one image lie on a manifold with one degree of "
                   "freedom, the angle (a rotation could also be 3-D)."),
    "brightness": N_("The lecture (Fig. 7): the brighter and darker copies of one image lie on a manifold with one "
                     "degree of freedom; scaling the ink, as here, makes it a straight line in pixel space (up to "
                     "1×, beyond which the ink saturates)."),
}

st.title(_("Transformations"))
st.write(_(
    "The lecture's Figs. 5–8 show one picture zoomed, shifted, brightened and rotated. Each change has one knob "
    "(a factor, a number of pixels, an angle), so the images it makes lie on a manifold with one degree of "
    "freedom inside the 784-dimensional space of 28×28 pixels, even though a small shift or turn changes "
    "almost every ink pixel. Pick a digit and a transformation: the page sweeps the digit through it and an "
    "autoencoder encodes every frame. The plot shows how far each frame is from the first one in **pixel "
    "space** and how far its code is in **code space**, each divided by the median distance between two random "
    "test digits in that space, so 1.0 means \"as far apart as two random digits\" in both."
))

broken_model_notice()
names = model_names(bottleneck_only=True)
usable = [n for n in names if has_latent_map(n) and has_scales(n)]
if not usable:
    example = names[0] if names else DEFAULT_MODEL
    st.info(_("No model with a code has both a latent map and sweep yardsticks in checkpoints/. Compute them with "
              "`python -m ae_core.latent --name {example}` and `python -m ae_core.transform --name {example}` "
              "(MNIST from AE_DATA_DIR) and reload this page.", example=example))
    st.stop()
missing = sorted(set(names) - set(usable))
name = st.selectbox(_("Model"), usable, index=usable.index(DEFAULT_MODEL) if DEFAULT_MODEL in usable else 0,
                    key="transform_model",
                    help=_("Not offered, for want of a latent map or yardsticks (python -m ae_core.latent and "
                           "python -m ae_core.transform compute them): {names}.", names=", ".join(missing))
                    if missing else None)
try:
    model, card = load_model(name)
    summary = latent_map(name)
    yardsticks = scales(name)
except ValueError as err:
    st.error(_("{name} cannot be used: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()
stale = [f"`python -m ae_core.{module} --name {name}`" for module, stored in (("latent", summary),
                                                                             ("transform", yardsticks))
         if stored["sha256"] != card["sha256"]]
if stale:
    commands = stale[0] if len(stale) == 1 else _("{first} and {second}", first=stale[0], second=stale[1])
    st.warning(_("Some of {name}'s stored summaries were computed for other weights (the checkpoint was "
                 "retrained); rerun {commands}.", name=name, commands=commands))

st.subheader(_("Your digit"))
digit = digit_source("transform")
if digit is None:
    st.stop()


def explain(kind: str, vals: np.ndarray, labels: list[str], result: dict) -> str:
    """The lecture's claim and what this sweep's numbers show, in a few sentences."""
    pixel, code = result["pixel"], result["code"]  # (steps,) each, scaled by random pairs
    text = _(LECTURE[kind]) + " " + _(
        "In this sweep one step ({step}) moves the image **{pixel_step:.2f}** of a random pair's pixel distance and "
        "{name}'s code **{code_step:.2f}** of a random pair's code distance; from {first} to {last} they end "
        "{pixel_end:.2f} and {code_end:.2f} away (farthest: {pixel_max:.2f} and {code_max:.2f}).",
        step=step_label(kind, vals[1] - vals[0]), pixel_step=pixel[1], name=name, code_step=code[1],
        first=labels[0], last=labels[-1], pixel_end=pixel[-1], code_end=code[-1], pixel_max=pixel.max(),
        code_max=code.max())
    if pixel.max() < 1e-9:
        return text + " " + _("The frames do not change, so there is nothing to compare.")
    ratio, copies = code.max() / pixel.max(), _(COPIES[kind])
    if ratio < 0.8:
        text += " " + _("Measured against random digits, the code moves only {ratio:.2f} times as far as the pixels: "
                        "{name} treats the {copies} copies as closer to each other than pixel space does.",
                        ratio=ratio, name=name, copies=copies)
    elif ratio > 1.25:
        text += " " + _("Measured against random digits, the code moves {ratio:.2f} times as far as the pixels: "
                        "{name} sets the {copies} copies further apart than pixel space does.",
                        ratio=ratio, name=name, copies=copies)
    else:
        text += " " + _("Measured against random digits, the code moves about as far as the pixels ({ratio:.2f} "
                        "times): to {name} the {copies} copies differ about as much as their pictures do.",
                        ratio=ratio, name=name, copies=copies)
    even, pixel_even = result["code_smoothness"], result["pixel_smoothness"]
    pixels_note = (_("the pixels' {smoothness:.2f}", smoothness=pixel_even) if pixel_even is not None
                   else _("the pixels do not move"))
    if even is None:
        return text + " " + _("The code does not move at all.")
    if even <= transform.SMOOTH:
        return text + " " + _("Along the way the code moves smoothly: its largest step is {even:.2f} times its mean "
                              "step ({pixels}; 1 = evenly spaced).", even=even, pixels=pixels_note)
    return text + " " + _("The code does not move smoothly: its largest step is {even:.2f} times its mean step "
                          "({pixels}; 1 = evenly spaced), so it moves faster through one part of the sweep.",
                          even=even, pixels=pixels_note)


def distance_figure(kind: str, vals: np.ndarray, labels: list[str], result: dict) -> go.Figure:
    """The scaled pixel and code distances from the first frame, along the sweep."""
    figure = go.Figure()
    for key, label in (("pixel", _("pixels (784 numbers)")),
                       ("code", _("code of {name} ({dim} numbers)", name=name, dim=summary["dim"]))):
        figure.add_trace(go.Scatter(x=vals, y=result[key], mode="lines+markers", name=label, text=labels,
                                    line={"color": COLOURS[key]}, marker={"color": COLOURS[key]},
                                    hovertemplate="%{text}: %{y:.2f}<extra>" + label + "</extra>"))
    figure.add_hline(y=1.0, line_dash="dash", line_color="grey", annotation_text=_("two random test digits"),
                     annotation_position="top left")
    figure.update_layout(height=430, xaxis_title=_(AXIS_TITLES[kind]), yaxis_title=_("distance from the first frame"),
                         yaxis_rangemode="tozero")
    return fit_width(figure)


def map_figure(labels: list[str], path: np.ndarray, star: np.ndarray) -> go.Figure:
    """The test digits' codes on the Latent map page's PCA plane, with the sweep's path through them."""
    points, classes = np.asarray(summary["points"]), np.asarray(summary["labels"])  # (n, 2), (n,)
    shares = summary["explained_variance"]
    figure = go.Figure()
    for c in range(10):
        xy = points[classes == c]
        figure.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=str(c),
                                    marker={"size": 4, "color": PALETTE[c], "opacity": 0.5},
                                    hovertemplate=_("class {c}", c=c) + "<extra></extra>"))
    sweep = _("the sweep")
    figure.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=sweep, text=labels,
                                line={"color": "black", "width": 2}, marker={"size": 7, "color": "black"},
                                hovertemplate="%{text}<extra>" + sweep + "</extra>"))
    figure.add_trace(go.Scatter(x=path[:1, 0], y=path[:1, 1], mode="markers", name=_("first frame"),
                                marker={"symbol": "circle-open", "size": 16, "color": "black",
                                        "line": {"width": 2}}, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name=_("your digit"),
                                marker={"symbol": "star", "size": 20, "color": "black",
                                        "line": {"color": "white", "width": 1.5}}))
    first, second = (_("{percent:.0f}%", percent=100 * share) for share in shares[:2])  # "9%", as on the Latent map
    figure.update_layout(height=430, legend_title_text=_("class"),
                         xaxis_title=_("PC {number} ({share} of the code variance)", number=1, share=first),
                         yaxis_title=f"PC 2 ({second})")
    return fit_width(figure)


@st.fragment
def sweep_view(digit: np.ndarray) -> None:
    """The sweep's controls and everything they change: moving a slider reruns only this part of the page."""
    kind = st.segmented_control(_("Transformation"), transform.KINDS, default=DEFAULT_KIND, required=True,
                                format_func=lambda k: _(KIND_LABELS[k]), key="transform_kind")
    range_col, steps_col = st.columns([3, 1])
    low, high, step, number_format = SLIDERS[kind]
    start, stop = range_col.slider(_("Sweep: {axis}", axis=_(AXIS_TITLES[kind])), low, high,
                                   transform.DEFAULT_SWEEPS[kind], step, number_format,
                                   key=f"transform_range_{kind}")  # one key per kind: its own range
    steps = steps_col.slider(_("Steps"), 3, 21, transform.DEFAULT_STEPS, key="transform_steps")
    try:
        frames = transform.sweep(digit, kind, start, stop, steps)  # (steps, 28, 28)
        result = transform.measure(model, frames, yardsticks)
    except ValueError as err:
        st.info(translated(err))
        return
    vals = transform.values(start, stop, steps)  # (steps,)
    labels = value_labels(kind, vals)

    st.markdown(_("**The sweep** of {digit}: {kind} from {first} to {last}", digit=digit_label("transform"),
                  kind=_(NOUNS[kind]), first=labels[0], last=labels[-1]))
    image_row(dict(zip(labels, frames, strict=True)), width=84)
    st.markdown(_("**Reconstructed by {name}**", name=name))
    image_row(dict(zip(labels, result["reconstructions"], strict=True)), width=84)

    left, right = st.columns(2)
    with left:
        st.markdown(_("**How far the sweep goes**, in units of a random pair of test digits"))
        st.plotly_chart(distance_figure(kind, vals, labels, result), key="transform_distances")
        st.caption(_("Yardsticks: the median distances between {pairs:,} random pairs of {digits:,} test digits "
                     "({source}): {pixel:.1f} in pixel space ([-1, 1] pixels), {code:.2f} in {name}'s code space.",
                     pairs=yardsticks["n_pairs"], digits=yardsticks["n_digits"], source=yardsticks["source"],
                     pixel=yardsticks["pixel_median"], code=yardsticks["code_median"], name=name))
    with right:
        st.markdown(_("**The sweep on the latent map**"))
        path = latent.project(result["codes"], summary["mean"], summary["components"])  # (steps, 2)
        star = latent.project(encode(model, digit), summary["mean"], summary["components"])  # (2,)
        st.plotly_chart(map_figure(labels, path, star), key="transform_map")
        st.caption(_("{n:,} test digits ({source}) on the Latent map page's PCA plane, which holds {share} of "
                     "the variance of {name}'s codes: a path can look short here and still be long in the full code.",
                     n=len(summary["points"]), source=summary["source"],
                     share=_("{percent:.0f}%", percent=100 * sum(summary["explained_variance"])),
                     name=name))
    st.markdown(_("**What the lecture claims, and what {name} shows.**", name=name) + " "
                + explain(kind, vals, labels, result))
    bench = typical(name, kind)
    if bench is not None:
        row, meta = bench
        first, last = value_labels(kind, transform.DEFAULT_SWEEPS[kind])
        st.caption(_("Over {n:,} random test digits ({source}, `bench/transform.py`), the default {kind} sweep "
                     "({first} to {last}, {steps} frames) moves {name}'s code a median {ratio:.2f} times as far as "
                     "the pixels (quartiles {q25:.2f} to {q75:.2f}), and its code path is smooth (largest step at "
                     "most {even} times the mean) for {share} of them.",
                     n=meta["n"], source=meta["source"], kind=_(NOUNS[kind]), first=first, last=last,
                     steps=meta["steps"], name=name, ratio=row["ratio"], q25=row["ratio_q25"], q75=row["ratio_q75"],
                     even=meta["even"], share=_("{percent:.0f}%", percent=100 * row["smooth_share"])))


sweep_view(digit)
