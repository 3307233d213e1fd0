"""Benchmarks: the stored results of bench/quality.py as curves and tables, and a model measured on demand."""

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ae_core import benchmark, metrics
from ae_core.superres import is_superres_model
from ui.figures import figure_info, figure_title, method_label, metrics_table, region_tables, show_side_by_side
from ui.i18n import N_, _, number, translated
from ui.loaders import all_cards, broken_model_notice, data_notice, load_model, test_digits
from ui.plots import fit_width
from ui.verdict import verdict_sentence

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results" / "quality.json"
KINDS = {"dropout": N_("lecture dropout"), "mask": N_("plain masking")}
# How a stored condition (bench/results: its kind and level) is shown, as ae_core.benchmark.Condition.label says it.
CONDITIONS = {"dropout": N_("dropout p={level:g}"), "mask": N_("mask p={level:g}"),
              "patch": N_("grey patch {size}x{size}"), "gaussian": N_("gaussian sigma={level:g}")}


def condition_label(kind: str, level: float, stored: str) -> str:
    """A damage condition as the page shows it ("dropout p=0.5"); `stored`, its label in the results, for a kind
    this page does not know."""
    return _(CONDITIONS[kind], level=level, size=int(level)) if kind in CONDITIONS else stored


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
        fig.add_trace(go.Scatter(x=[r["level"] for r in rows], y=values, name=method_label(name), mode="lines+markers",
                                 line={"dash": dash}))
    fig.update_layout(xaxis_title=_("p, the fraction of pixels dropped"), yaxis_title=figure_title(key), height=520)
    return fit_width(fig)


def psnr_of(row: dict) -> dict[str, float | None]:
    """Whole-image PSNR of every method in one stored condition (None: not applicable)."""
    return {name: figures and figures["psnr"] for name, figures in row["results"].items()}


def condition_table(row: dict) -> pd.DataFrame:
    """Methods down, the six figures across (NaN where a method does not apply), for one damage condition."""
    table = pd.DataFrame({name: figures or {} for name, figures in row["results"].items()}).T
    return table.reindex(columns=list(metrics.METRIC_INFO)).astype(float)


st.title(_("Benchmarks"))
st.write(_(
    "Does an autoencoder beat the best classical inpainting, by how much, and at which damage levels? The "
    "classical methods are OpenCV's Telea and Navier-Stokes (the lecture's) and biharmonic inpainting, the "
    "strongest of the three on scattered missing pixels. These are the stored results of "
    "`python bench/quality.py` on the MNIST test set: every method repairs the same damaged digits and is "
    "scored the same way. Nothing here is recomputed when the page loads."
))

if not RESULTS.is_file():
    st.info(_("No benchmark results yet: run `.venv/bin/python bench/quality.py` and reload this page."))
    st.stop()
try:
    results = read_results(str(RESULTS), RESULTS.stat().st_mtime)
    meta = results["meta"]
except (ValueError, KeyError) as err:
    st.error(_("{file} cannot be read ({error}); regenerate it with `.venv/bin/python bench/quality.py`.",
               file=RESULTS.name, error=translated(err)))
    st.stop()
st.caption(_("{n:,} test digits ({source}), generated {created}; full report: docs/BENCHMARKS.md.",
             n=meta["n_test"], source=meta["source"], created=meta["created"]))

verdicts = {r["condition"]: benchmark.verdict(psnr_of(r)) for r in results["repair"]}
leads = benchmark.margins(verdicts)
won = [lead for lead in leads.values() if lead > 0]
lecture = benchmark.margins(verdicts, benchmark.LECTURE_DENOISING)
answer = (_("**The answer:** an autoencoder beats the best classical method in {won} of the {total} conditions "
             "where classical inpainting applies, by {low:.1f} to {high:.1f} dB.",
             won=len(won), total=len(leads), low=min(won), high=max(won)) if won else
          _("**The answer:** an autoencoder beats the best classical method in {won} of the {total} conditions "
            "where classical inpainting applies.", won=len(won), total=len(leads)))
if lecture:
    answer += " " + _("The lecture's own denoising AE ({model}) loses to it in {lost} of them.",
                      model=benchmark.LECTURE_DENOISING, lost=sum(lead < 0 for lead in lecture.values()))
st.markdown(answer)

kind_col, key_col = st.columns(2)
kind = kind_col.segmented_control(_("Damage"), list(KINDS), default="dropout", format_func=lambda k: _(KINDS[k]),
                                  key="bench_kind") or "dropout"
key = key_col.selectbox(_("Figure"), list(metrics.METRIC_INFO), format_func=figure_title, key="bench_metric")
st.plotly_chart(curves(results, kind, key), key="bench_curves", width="stretch")

by_condition = {r["condition"]: r for r in results["repair"]}  # stored label -> its results
labels = list(by_condition)
label = st.selectbox(_("All figures for one condition"), labels, index=labels.index("dropout p=0.5"),
                     format_func=lambda c: condition_label(by_condition[c]["kind"], by_condition[c]["level"], c),
                     key="bench_condition")
row = by_condition[label]
where = _("at {condition}", condition=condition_label(row["kind"], row["level"], label))
st.markdown(verdict_sentence(psnr_of(row), where, lecture=benchmark.LECTURE_DENOISING))
show_side_by_side(region_tables(condition_table(row)))
st.caption(_("{figures}. Both tables sorted by whole-image PSNR; the best of each column in bold. —: inpainting "
             "needs at least one known pixel.", figures=" · ".join(figure_info(k) for k in metrics.METRIC_INFO)))

st.subheader(_("Clean digits through a bottleneck, against PCA with as many components"))
clean = pd.DataFrame(results["clean"]).drop_duplicates("method").set_index("method")  # PCA-30 partners two models
show_side_by_side({f"d = {size}": metrics_table(group, "whole") for size, group in clean.groupby("code_size")})
st.caption(_("Whole image, the same convention: each model against PCA keeping as many numbers per digit."))

if results.get("superres"):
    st.subheader(_("Super-resolution: shrunk to 14×14 or 7×7, back to 28×28"))
    show_side_by_side({f"{r['size']}×{r['size']} → 28×28":
                       metrics_table(pd.DataFrame(r["results"]).T, "whole")
                       for r in results["superres"]})
    st.caption(_("Whole image, the same convention; the Super-resolution page compares the methods on your digit."))

st.subheader(_("Measure a model now"))
st.write(_("Evaluate any checkpoint on a slice of the test set, with the same damage and scoring, next to "
           "biharmonic inpainting, the strongest classical method. This runs on demand, with a progress bar. "
           "Super-resolution models are not offered: they enlarge, they do not repair (their figures are above)."))
broken_model_notice()
names = [c["name"] for c in all_cards() if not is_superres_model(c)]  # the repairers
if not names:
    st.info(_("No checkpoint to measure: train one with `python -m ae_core.train --name my_model`."))
    st.stop()
pick, size = st.columns(2)
name = pick.selectbox(_("Model"), names, key="bench_model")
n = size.slider(_("Test digits"), 100, 2000, 500, 100, key="bench_slice")
if st.button(_("Evaluate"), key="bench_evaluate", icon=":material/play_arrow:"):
    digits = test_digits()
    data_notice(digits)
    try:
        model = load_model(name)[0]
    except ValueError as err:
        st.error(_("{name} cannot be used: {error}", name=name, error=translated(err)))
        st.stop()
    methods = {name: benchmark.one_shot(model), "Biharmonic": benchmark.inpainting("biharmonic")}
    conditions = [c for c in benchmark.standard_conditions() if c.kind == "dropout"]
    progress = st.progress(0.0, text=_("Evaluating..."))
    rows = []
    for i, condition in enumerate(conditions, start=1):
        try:
            outcomes = benchmark.compare(digits.images[:n], condition, methods)
        except ValueError as err:  # the model's output is not finite: its training diverged
            progress.empty()
            st.error(_("{name} cannot be measured: {error}", name=name, error=translated(err)))
            st.stop()
        rows += [{"p": condition.level, "method": m, "PSNR (dB)": o.figures["psnr"], "SSIM": o.figures["ssim"]}
                 for m, o in outcomes.items()]
        progress.progress(i / len(conditions), text=_("Evaluating... {condition}", condition=condition_label(
            condition.kind, condition.level, condition.label)))
    progress.empty()
    table = pd.DataFrame(rows).pivot(index="method", columns="p", values="PSNR (dB)")
    st.session_state.bench_measured = {"name": name, "n": min(n, len(digits)), "table": table}
measured = st.session_state.get("bench_measured")
if measured:
    st.write(_("Whole-image PSNR (dB) on lecture dropout, first {n:,} test digits:", n=measured["n"]))
    st.dataframe(measured["table"].rename_axis(index=_("method")).style.format(lambda v: number(v, ".2f"))
                 .format_index(lambda p: number(p, "g"), axis=1), key="bench_measured_table")
    lead = measured["table"].loc[measured["name"]] - measured["table"].loc["Biharmonic"]
    per_p = ", ".join(_("{lead:+.1f} dB at p = {p:g}", lead=d, p=p) for p, d in lead.items())
    if (lead > 0).all():
        text = _("{name} against biharmonic inpainting: {leads}. **{name} wins at every p.**", name=measured["name"],
                 leads=per_p)
    elif (lead < 0).all():
        text = _("{name} against biharmonic inpainting: {leads}. **Biharmonic wins at every p.**",
                 name=measured["name"], leads=per_p)
    else:
        text = _("{name} against biharmonic inpainting: {leads}. {name} wins where the lead is positive.",
                 name=measured["name"], leads=per_p)
    st.markdown(text)
