"""Latent map: the test digits' codes on a 2-D PCA plane; place your digit on it and decode any point."""

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ae_core import latent
from ae_core.inference import decode, encode
from ui.digits import digit_label, digit_source
from ui.i18n import _, translated
from ui.images import image_row
from ui.loaders import broken_model_notice, has_latent_map, latent_map, load_model, model_names
from ui.plots import fit_width

DEFAULT_MODEL = "standard_d30"
DEFAULT_CLASS_B = 3
PALETTE = px.colors.qualitative.Safe[:10]  # colour-blind-safe (Carto "Safe"), one colour per class
GRID = 40  # 40 x 40 invisible points: a click anywhere on the map selects one of them
PATH_STEPS = 10

st.title(_("Latent map"))
st.write(_(
    "An autoencoder squeezes each digit into a code of d numbers (30 or 500). A **latent map** draws those "
    "codes on a page: the codes of the test digits are reduced to 2-D with a PCA, which keeps the two "
    "directions along which the codes vary most. Unlike t-SNE, a PCA is a fixed linear map, so it can "
    "place new digits (yours is the star) and it can be run backwards: every point of the map is a code "
    "on that plane, and the decoder turns it into a digit. **Click anywhere on the map** to see it."
))

broken_model_notice()
names = model_names(bottleneck_only=True)
with_map = [n for n in names if has_latent_map(n)]
if not with_map:
    example = names[0] if names else "standard_d30"
    st.info(_("No model with a latent map was found in checkpoints/. Compute one with "
              "`python -m ae_core.latent --name {example}` (MNIST from AE_DATA_DIR) and reload this page.",
              example=example))
    st.stop()
missing = sorted(set(names) - set(with_map))
name = st.selectbox(_("Model"), with_map, index=with_map.index(DEFAULT_MODEL) if DEFAULT_MODEL in with_map else 0,
                    key="latent_model",
                    help=_("Models without a map: {names}.", names=", ".join(missing)) if missing else None)
try:
    model, card = load_model(name)
    summary = latent_map(name)
except ValueError as err:
    st.error(_("{name} cannot be used: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()
if summary["sha256"] != card["sha256"]:
    st.warning(_("The latent map of {name} was computed for other weights (the checkpoint was retrained). "
                 "Rerun `python -m ae_core.latent --name {name}` to redraw it.", name=name))
mean, components = np.asarray(summary["mean"]), np.asarray(summary["components"])  # (d,), (2, d)
points, labels = np.asarray(summary["points"]), np.asarray(summary["labels"])  # (n, 2), (n,)
shares = summary["explained_variance"]

st.subheader(_("Your digit"))
a = digit_source("latent")
show_path = st.toggle(_("Show the path to a second digit"), key="latent_path")
b = None
if show_path:
    st.subheader(_("Second digit"))
    b = digit_source("latent_b", default_class=DEFAULT_CLASS_B)

code_a = encode(model, a) if a is not None else None  # (d,)
star = latent.project(code_a, mean, components) if code_a is not None else None  # (2,)
path = latent.line(code_a, encode(model, b), mean, components, PATH_STEPS) if star is not None and b is not None \
    else None  # (steps, 2)

extent = np.concatenate([points] + [p.reshape(-1, 2) for p in (star, path) if p is not None])
cells = latent.grid(extent, GRID)  # (GRID*GRID, 2)
figure = go.Figure()
figure.add_trace(go.Scatter(x=cells[:, 0], y=cells[:, 1], mode="markers", name="grid", showlegend=False,
                            marker={"size": 12, "color": "grey", "opacity": 0.01}, hoverinfo="none"))
for c in range(10):
    xy = points[labels == c]
    figure.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=str(c),
                                marker={"size": 5, "color": PALETTE[c], "opacity": 0.7},
                                hovertemplate=_("class {digit}<br>({x}, {y})", digit=c, x="%{x:.2f}", y="%{y:.2f}")
                                + "<extra></extra>"))
if path is not None:
    figure.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=_("path to B"),
                                line={"color": "black", "width": 2}, marker={"size": 7, "color": "black"}))
if star is not None:
    figure.add_trace(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name=_("your digit"),
                                marker={"symbol": "star", "size": 22, "color": "black",
                                        "line": {"color": "white", "width": 1.5}}))
first, second = (_("{percent:.0f}%", percent=100 * share) for share in shares[:2])  # "9%"
figure.update_layout(height=560, legend_title_text=_("class"),
                     xaxis_title=_("PC {number} ({share} of the code variance)", number=1, share=first),
                     yaxis_title=f"PC 2 ({second})", clickmode="event+select")
fit_width(figure)


@st.fragment
def map_and_decode(figure: go.Figure, a, star) -> None:
    """The map and the decoded point: a click reruns only this part of the page."""
    event = st.plotly_chart(figure, on_select="rerun", selection_mode="points", key="latent_map")
    st.caption(_("{n:,} test digits ({source}), coloured by class. The two axes hold {share} of the variance "
                 "of {name}'s {dim}-number codes, so digits that overlap here may still be far apart in the full "
                 "code.", n=len(points), source=summary["source"], share=_("{percent:.0f}%", percent=100 * sum(shares)),
                 name=name, dim=summary["dim"]))

    clicked = latent.clicked_point(event)
    shown = {digit_label("latent"): a} if a is not None else {}
    if clicked is not None:
        shown[_("decoded at ({x:.2f}, {y:.2f})", x=clicked[0], y=clicked[1])] = decode(
            model, latent.unproject(clicked, mean, components))
    elif star is not None:
        shown[_("your digit's point, decoded ({x:.2f}, {y:.2f})", x=star[0], y=star[1])] = decode(
            model, latent.unproject(star, mean, components))
    image_row(shown, width=168)


map_and_decode(figure, a, star)
st.markdown(_(
    "**What the decoded point shows.** A point of the map is only the part of a code that lies on the PCA "
    "plane; the other d − 2 numbers are set to the average code. So the decode of your digit's point is "
    "a blurrier, more typical digit than its full reconstruction, and points between the clusters decode "
    "to shapes between digits: the decoder's view of the space the codes live in."
))
