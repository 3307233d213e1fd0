"""Anomaly score: how unusual a digit looks to a bottleneck autoencoder, against the MNIST test set."""

import plotly.graph_objects as go
import streamlit as st

from ae_core.anomaly import is_stale, summary_percentile
from ae_core.inference import reconstruct
from ae_core.metrics import mse
from ui.digits import digit_label, digit_source
from ui.i18n import N_, _, number, translated
from ui.images import image_row
from ui.loaders import anomaly_summary, broken_model_notice, has_anomaly_summary, load_model, model_names, test_digits
from ui.plots import fit_width

DEFAULT_MODEL = "standard_d30"
ROWS = {"most_typical": N_("Most typical (lowest error)"), "least_typical": N_("Least typical (highest error)")}

st.title(_("Anomaly score"))
st.write(_(
    "The lecture names anomaly detection as one of the main uses of an autoencoder. A **bottleneck** "
    "autoencoder has to squeeze each image through a small code, so it only learns to reconstruct what "
    "resembles its training data: a digit comes back close to itself, anything else comes back as the "
    "nearest digit-like image. The reconstruction error (MSE on [0, 1] pixels) is then the anomaly score, "
    "and comparing it with the errors of the 10,000 MNIST test digits says how unusual your digit is. "
    "Only models with a small code score here: an over-complete or mask-aware model (such as the repair "
    "U-Net, which copies the pixels it is given) can reproduce almost any image, so its error says little."
))

digit = digit_source("anomaly")
if digit is None:
    st.stop()

broken_model_notice()
bottleneck = model_names(bottleneck_only=True)
names = [n for n in bottleneck if has_anomaly_summary(n)]
if not names:
    first = DEFAULT_MODEL if DEFAULT_MODEL in bottleneck or not bottleneck else bottleneck[0]
    st.info(_("No autoencoder with a code has an anomaly summary in checkpoints/ yet. Compute one from the MNIST "
              "test set with `AE_DATA_DIR=<mnist folder> python -m ae_core.anomaly --name {first}` "
              "and reload this page.", first=first))
    st.stop()
name = st.selectbox(_("Model that scores"), names, index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0,
                    key="anomaly_model")
if len(names) < len(bottleneck):
    st.caption(_("Without a summary (run `python -m ae_core.anomaly --name <model>`): {names}.",
                 names=", ".join(n for n in bottleneck if n not in names)))
try:
    model, card = load_model(name)
    summary = anomaly_summary(name)
except ValueError as err:
    st.error(_("{name} cannot score: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()
if is_stale(summary, card):
    st.warning(_("The anomaly summary of {name} is stale: it was computed for other weights than the current "
                 "checkpoint, so the percentile and the histogram may be off. Regenerate it with "
                 "`AE_DATA_DIR=<mnist folder> python -m ae_core.anomaly --name {name}`.", name=name))

reconstruction = reconstruct(model, digit)  # (28, 28)
error = float(mse(digit, reconstruction)[0])  # the score, as reconstruction_errors computes it
share = summary_percentile(summary, error)
n_test = summary["data"]["n"]

pictures, numbers = st.columns([1, 1])
with pictures:  # one row of two, side by side on a phone too
    image_row({digit_label("anomaly") or _("your digit"): digit,
               _("reconstruction ({name})", name=name): reconstruction}, width=160)
with numbers:
    st.metric(_("Reconstruction error (MSE on [0, 1] pixels)"), number(error, ".4f"),
              help=_("The median test digit scores {median:.4f}.", median=summary["median"]))
    st.metric(_("Percentile among the test digits"), _("{percent:.1f}%", percent=share))
    st.markdown(_("This digit is **more unusual than {percent:.1f}%** of the {n:,} test digits for {name}.",
                  percent=share, n=n_test, name=name))

edges = [10**e for e in summary["histogram"]["log10_edges"]]  # bin edges on the error axis
counts = summary["histogram"]["counts"]
figure = go.Figure()
figure.add_trace(go.Scatter(x=edges, y=counts + counts[-1:], mode="lines", line_shape="hv", fill="tozeroy",
                            name=_("test digits"),
                            hovertemplate=_("error ≥ {error}: {count} digits", error="%{x:.4f}", count="%{y}")
                            + "<extra></extra>"))
figure.add_trace(go.Scatter(x=[error, error], y=[0, max(counts)], mode="lines", line={"color": "red", "width": 3},
                            name=_("your digit"),
                            hovertemplate=_("your digit: {error:.4f}", error=error) + "<extra></extra>"))
figure.update_layout(xaxis={"type": "log", "title": _("reconstruction error (log scale)")},
                     yaxis={"title": _("test digits")}, height=320)
st.markdown(_("**Errors of the {n:,} test digits under {name}**", n=n_test, name=name))
st.plotly_chart(fit_width(figure), key="anomaly_histogram", width="stretch")
st.caption(_("A low score only says the model can reproduce the image: a nearly empty image is easy to "
             "reconstruct and scores low, though it is no digit."))

st.subheader(_("The most and least typical test digits"))
digits = test_digits()
if digits.source != "mnist" or summary["data"]["source"] != "mnist" or len(digits) != n_test:
    st.info(_("The example digits need the full MNIST test set the summary was computed on (set AE_DATA_DIR to "
              "its folder). The histogram and the percentile above come from the stored summary and still hold."))
    st.stop()
for kind, title in ROWS.items():
    st.markdown(f"**{_(title)}**")
    picks = summary[kind]
    image_row({_("#{index}, a {digit}, {error:.4f}", index=i, digit=int(digits.labels[i]), error=e):
               digits.images[i].numpy() for i, e in zip(picks["indices"], picks["errors"], strict=True)}, width=84)
