"""Anomaly score: how unusual a digit looks to a bottleneck autoencoder, against the MNIST test set."""

import plotly.graph_objects as go
import streamlit as st

from ae_core.anomaly import is_stale, summary_percentile
from ae_core.inference import reconstruct
from ae_core.metrics import mse
from ui.digits import digit_label, digit_source
from ui.images import image_row
from ui.loaders import anomaly_summary, broken_model_notice, has_anomaly_summary, load_model, model_names, test_digits
from ui.plots import fit_width

DEFAULT_MODEL = "standard_d30"
ROWS = {"most_typical": "Most typical (lowest error)", "least_typical": "Least typical (highest error)"}

st.title("Anomaly score")
st.write(
    "The lecture names anomaly detection as one of the main uses of an autoencoder. A **bottleneck** "
    "autoencoder has to squeeze each image through a small code, so it only learns to reconstruct what "
    "resembles its training data: a digit comes back close to itself, anything else comes back as the "
    "nearest digit-like image. The reconstruction error (MSE on [0, 1] pixels) is then the anomaly score, "
    "and comparing it with the errors of the 10,000 MNIST test digits says how unusual your digit is. "
    "Only models with a small code score here: an over-complete or mask-aware model (such as the repair "
    "U-Net, which copies the pixels it is given) can reproduce almost any image, so its error says little."
)

digit = digit_source("anomaly")
if digit is None:
    st.stop()

broken_model_notice()
bottleneck = model_names(bottleneck_only=True)
names = [n for n in bottleneck if has_anomaly_summary(n)]
if not names:
    first = DEFAULT_MODEL if DEFAULT_MODEL in bottleneck or not bottleneck else bottleneck[0]
    st.info("No autoencoder with a code has an anomaly summary in checkpoints/ yet. Compute one from the MNIST "
            f"test set with `AE_DATA_DIR=<mnist folder> python -m ae_core.anomaly --name {first}` "
            "and reload this page.")
    st.stop()
name = st.selectbox("Model that scores", names, index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0,
                    key="anomaly_model")
if len(names) < len(bottleneck):
    st.caption(f"Without a summary (run `python -m ae_core.anomaly --name <model>`): "
               f"{', '.join(n for n in bottleneck if n not in names)}.")
try:
    model, card = load_model(name)
    summary = anomaly_summary(name)
except ValueError as err:
    st.error(f"{name} cannot score: {err} Pick another model.")
    st.stop()
if is_stale(summary, card):
    st.warning(f"The anomaly summary of {name} is stale: it was computed for other weights than the current "
               "checkpoint, so the percentile and the histogram may be off. Regenerate it with "
               f"`AE_DATA_DIR=<mnist folder> python -m ae_core.anomaly --name {name}`.")

reconstruction = reconstruct(model, digit)  # (28, 28)
error = float(mse(digit, reconstruction)[0])  # the score, as reconstruction_errors computes it
share = summary_percentile(summary, error)
n_test = summary["data"]["n"]

pictures, numbers = st.columns([1, 1])
with pictures:  # one row of two, side by side on a phone too
    image_row({digit_label("anomaly") or "your digit": digit, f"reconstruction ({name})": reconstruction},
              width=160)
with numbers:
    st.metric("Reconstruction error (MSE on [0, 1] pixels)", f"{error:.4f}",
              help=f"The median test digit scores {summary['median']:.4f}.")
    st.metric("Percentile among the test digits", f"{share:.1f}%")
    st.markdown(f"This digit is **more unusual than {share:.1f}%** of the {n_test:,} test digits for {name}.")

edges = [10**e for e in summary["histogram"]["log10_edges"]]  # bin edges on the error axis
counts = summary["histogram"]["counts"]
figure = go.Figure()
figure.add_trace(go.Scatter(x=edges, y=counts + counts[-1:], mode="lines", line_shape="hv", fill="tozeroy",
                            name="test digits", hovertemplate="error ≥ %{x:.4f}: %{y} digits<extra></extra>"))
figure.add_trace(go.Scatter(x=[error, error], y=[0, max(counts)], mode="lines", line={"color": "red", "width": 3},
                            name="your digit", hovertemplate=f"your digit: {error:.4f}<extra></extra>"))
figure.update_layout(xaxis={"type": "log", "title": "reconstruction error (log scale)"},
                     yaxis={"title": "test digits"}, height=320)
st.markdown(f"**Errors of the {n_test:,} test digits under {name}**")
st.plotly_chart(fit_width(figure), key="anomaly_histogram", width="stretch")
st.caption("A low score only says the model can reproduce the image: a nearly empty image is easy to "
           "reconstruct and scores low, though it is no digit.")

st.subheader("The most and least typical test digits")
digits = test_digits()
if digits.source != "mnist" or summary["data"]["source"] != "mnist" or len(digits) != n_test:
    st.info("The example digits need the full MNIST test set the summary was computed on (set AE_DATA_DIR to "
            "its folder). The histogram and the percentile above come from the stored summary and still hold.")
    st.stop()
for kind, title in ROWS.items():
    st.markdown(f"**{title}**")
    picks = summary[kind]
    image_row({f"#{i}, a {int(digits.labels[i])}, {e:.4f}": digits.images[i].numpy()
               for i, e in zip(picks["indices"], picks["errors"], strict=True)}, width=84)
