"""Benchmarks: the stored results of bench/quality.py as curves and tables, and a model measured on demand."""

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ae_core import benchmark, metrics
from ae_core.superres import is_superres_model
from ui.figures import figure_title, metrics_table, region_tables, show_side_by_side
from ui.loaders import all_cards, broken_model_notice, data_notice, load_model, test_digits
from ui.plots import fit_width
from ui.verdict import verdict_sentence

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results" / "quality.json"
KINDS = {"dropout": "lecture dropout", "mask": "plain masking"}


@st.cache_data(show_spinner=False)
def read_results(path: str, modified: float) -> dict:
    """bench/results/quality.json, re-read only when the file changes (its mtime is part of the key)."""
    return json.loads(Path(path).read_text())


def curves(results: dict, kind: str, key: str) -> go.Figure:
    """One line per method: the figure `key` against the drop rate p, for one kind of damage."""
    rows = [r for r in results["repair"] if r["kind"] == kind]
    fig = go.Figure()
    for name in rows[0]["results"]:
        values = [None if r["results"][name] is None else r["results"][name][key] for r in rows]
        dash = "dash" if name in benchmark.CLASSICAL else ("dot" if name == benchmark.NO_REPAIR else "solid")
        fig.add_trace(go.Scatter(x=[r["level"] for r in rows], y=values, name=name, mode="lines+markers",
                                 line={"dash": dash}))
    fig.update_layout(xaxis_title="p, the fraction of pixels dropped", yaxis_title=figure_title(key), height=520)
    return fit_width(fig)


def psnr_of(row: dict) -> dict[str, float | None]:
    """Whole-image PSNR of every method in one stored condition (None: not applicable)."""
    return {name: figures and figures["psnr"] for name, figures in row["results"].items()}


def condition_table(row: dict) -> pd.DataFrame:
    """Methods down, the six figures across (NaN where a method does not apply), for one damage condition."""
    table = pd.DataFrame({name: figures or {} for name, figures in row["results"].items()}).T
    return table.reindex(columns=list(metrics.METRIC_INFO)).astype(float)


st.title("Benchmarks")
st.write(
    "Does an autoencoder beat the best classical inpainting, by how much, and at which damage levels? The "
    "classical methods are OpenCV's Telea and Navier-Stokes (the lecture's) and biharmonic inpainting, the "
    "strongest of the three on scattered missing pixels. These are the stored results of "
    "`python bench/quality.py` on the MNIST test set: every method repairs the same damaged digits and is "
    "scored the same way. Nothing here is recomputed when the page loads."
)

if not RESULTS.is_file():
    st.info("No benchmark results yet: run `.venv/bin/python bench/quality.py` and reload this page.")
    st.stop()
try:
    results = read_results(str(RESULTS), RESULTS.stat().st_mtime)
    meta = results["meta"]
except (ValueError, KeyError) as err:
    st.error(f"{RESULTS.name} cannot be read ({err}); regenerate it with `.venv/bin/python bench/quality.py`.")
    st.stop()
st.caption(f"{meta['n_test']:,} test digits ({meta['source']}), generated {meta['created']}; "
           "full report: docs/BENCHMARKS.md.")

verdicts = {r["condition"]: benchmark.verdict(psnr_of(r)) for r in results["repair"]}
leads = benchmark.margins(verdicts)
won = [lead for lead in leads.values() if lead > 0]
lecture = benchmark.margins(verdicts, benchmark.LECTURE_DENOISING)
st.markdown(f"**The answer:** an autoencoder beats the best classical method in {len(won)} of the "
            f"{len(leads)} conditions where classical inpainting applies"
            + (f", by {min(won):.1f} to {max(won):.1f} dB. " if won else ". ")
            + (f"The lecture's own denoising AE ({benchmark.LECTURE_DENOISING}) loses to it in "
               f"{sum(lead < 0 for lead in lecture.values())} of them." if lecture else ""))

kind_col, key_col = st.columns(2)
kind = kind_col.segmented_control("Damage", list(KINDS), default="dropout", format_func=KINDS.get,
                                  key="bench_kind") or "dropout"
key = key_col.selectbox("Figure", list(metrics.METRIC_INFO), format_func=figure_title, key="bench_metric")
st.plotly_chart(curves(results, kind, key), key="bench_curves", width="stretch")

labels = [r["condition"] for r in results["repair"]]
label = st.selectbox("All figures for one condition", labels, index=labels.index("dropout p=0.5"),
                     key="bench_condition")
row = next(r for r in results["repair"] if r["condition"] == label)
st.markdown(verdict_sentence(psnr_of(row), f"at {label}", lecture=benchmark.LECTURE_DENOISING))
show_side_by_side(region_tables(condition_table(row)))
st.caption(" · ".join(metrics.METRIC_INFO.values()) + ". Both tables sorted by whole-image PSNR; the best of "
           "each column in bold. —: inpainting needs at least one known pixel.")

st.subheader("Clean digits through a bottleneck, against PCA with as many components")
clean = pd.DataFrame(results["clean"]).drop_duplicates("method").set_index("method")  # PCA-30 partners two models
show_side_by_side({f"d = {size}": metrics_table(group, "whole") for size, group in clean.groupby("code_size")})
st.caption("Whole image, the same convention: each model against PCA keeping as many numbers per digit.")

if results.get("superres"):
    st.subheader("Super-resolution: shrunk to 14×14 or 7×7, back to 28×28")
    show_side_by_side({f"{r['size']}×{r['size']} → 28×28": metrics_table(pd.DataFrame(r["results"]).T, "whole")
                       for r in results["superres"]})
    st.caption("Whole image, the same convention; the Super-resolution page compares the methods on your digit.")

st.subheader("Measure a model now")
st.write("Evaluate any checkpoint on a slice of the test set, with the same damage and scoring, next to "
         "biharmonic inpainting, the strongest classical method. This runs on demand, with a progress bar. "
         "Super-resolution models are not offered: they enlarge, they do not repair (their figures are above).")
broken_model_notice()
names = [c["name"] for c in all_cards() if not is_superres_model(c)]  # the repairers
if not names:
    st.info("No checkpoint to measure: train one with `python -m ae_core.train --name my_model`.")
    st.stop()
pick, size = st.columns(2)
name = pick.selectbox("Model", names, key="bench_model")
n = size.slider("Test digits", 100, 2000, 500, 100, key="bench_slice")
if st.button("Evaluate", key="bench_evaluate", icon=":material/play_arrow:"):
    digits = test_digits()
    data_notice(digits)
    try:
        model = load_model(name)[0]
    except ValueError as err:
        st.error(f"{name} cannot be used: {err}")
        st.stop()
    methods = {name: benchmark.one_shot(model), "Biharmonic": benchmark.inpainting("biharmonic")}
    conditions = [c for c in benchmark.standard_conditions() if c.kind == "dropout"]
    progress = st.progress(0.0, text="Evaluating...")
    rows = []
    for i, condition in enumerate(conditions, start=1):
        try:
            outcomes = benchmark.compare(digits.images[:n], condition, methods)
        except ValueError as err:  # the model's output is not finite: its training diverged
            progress.empty()
            st.error(f"{name} cannot be measured: {err}")
            st.stop()
        rows += [{"p": condition.level, "method": m, "PSNR (dB)": o.figures["psnr"], "SSIM": o.figures["ssim"]}
                 for m, o in outcomes.items()]
        progress.progress(i / len(conditions), text=f"Evaluating... {condition.label}")
    progress.empty()
    table = pd.DataFrame(rows).pivot(index="method", columns="p", values="PSNR (dB)")
    st.session_state.bench_measured = {"name": name, "n": min(n, len(digits)), "table": table}
measured = st.session_state.get("bench_measured")
if measured:
    st.write(f"Whole-image PSNR (dB) on lecture dropout, first {measured['n']:,} test digits:")
    st.dataframe(measured["table"].style.format("{:.2f}"), key="bench_measured_table")
    lead = measured["table"].loc[measured["name"]] - measured["table"].loc["Biharmonic"]
    st.markdown(f"{measured['name']} against biharmonic inpainting: "
                + ", ".join(f"{d:+.1f} dB at p = {p:g}" for p, d in lead.items())
                + (f". **{measured['name']} wins at every p.**" if (lead > 0).all()
                   else ". **Biharmonic wins at every p.**" if (lead < 0).all()
                   else f". {measured['name']} wins where the lead is positive."))
