"""Super-resolution: a digit shrunk to 14x14 or 7x7, brought back to 28x28 by interpolation and by autoencoders."""

import streamlit as st
import torch

from ae_core import superres
from ae_core.config import CODELESS
from ui.digits import digit_label, digit_source
from ui.figures import PROJECTION_PREFIX, method_label
from ui.i18n import _, translated
from ui.images import image_row
from ui.loaders import all_cards, bench_results, broken_model_notice, load_model
from ui.repair import score

FACTOR_LABELS = {2: "14×14", 4: "7×7"}
DEFAULT_TRAINED = "superres_resunet"
DEFAULT_PROJECTION = "conv_d30"


def columns() -> dict:
    """The metrics table's columns, in the session's language."""
    return {"psnr": st.column_config.NumberColumn("PSNR (dB)", format="%.2f", help=_("whole image: higher is better")),
            "ssim": st.column_config.NumberColumn("SSIM", format="%.3f",
                                                  help=_("whole image, -1 to 1: higher is better"))}


def and_list(items: list[str]) -> str:
    """Phrases joined by "and": "a and b and c"."""
    text = items[0]
    for item in items[1:]:
        text = _("{first} and {second}", first=text, second=item)
    return text


def stored_figures() -> tuple[dict, int] | None:
    """({factor: {method: PSNR}}, number of test digits) from bench/results/quality.json, or None before
    its super-resolution part was run."""
    results = bench_results("quality") or {}
    rows = results.get("superres")
    if not rows:
        return None
    return {r["factor"]: {name: v["psnr"] for name, v in r["results"].items()} for r in rows}, \
        results["superres_meta"]["n_test"]


def claim_sentence(figures: dict, n_test: int) -> str:
    """What the stored test-set figures say about the lecture's claim: at each size, bicubic against the
    best learned method and against the best manifold projection."""
    trained, projected, wins = [], [], True
    for factor, psnr in sorted(figures.items(), reverse=True):
        side, bicubic = superres.SIZE // factor, psnr["bicubic"]
        learned = {n: v for n, v in psnr.items() if n not in superres.METHODS}
        best = max(learned, key=learned.get)
        wins &= learned[best] > bicubic
        trained.append(_("from {side}×{side}, bicubic {bicubic:.1f} dB and {best} {psnr:.1f} dB ({gain:+.1f} dB)",
                         side=side, bicubic=bicubic, best=method_label(best), psnr=learned[best],
                         gain=learned[best] - bicubic))
        projections = {n: v for n, v in learned.items() if n.startswith(PROJECTION_PREFIX)}
        if projections:
            best = max(projections, key=projections.get)
            projected.append(_("{gain:+.1f} dB from {side}×{side} ({best})", gain=projections[best] - bicubic,
                               side=side, best=method_label(best)))
    if wins:
        text = _("**The lecture's claim holds on digits.** On {n:,} test digits (whole-image PSNR, bench/quality.py): "
                 "{results}.", n=n_test, results="; ".join(trained))
    else:
        text = _("**The lecture's claim does not hold at every size.** On {n:,} test digits (whole-image PSNR, "
                 "bench/quality.py): {results}.", n=n_test, results="; ".join(trained))
    if projected:
        text += " " + _("Manifold projection, at its best, gains {gains} over bicubic.", gains=and_list(projected))
    return text


st.title(_("Super-resolution"))
st.write(_(
    "The lecture's Fig. 9 shrinks faces to 16×16 and enlarges them again: bicubic interpolation gives a blur, "
    "a network trained on faces gives back a face. Here a digit is shrunk by **area averaging** (each block of "
    "pixels becomes its mean) and brought back to 28×28 four ways: **nearest** (every small pixel becomes a "
    "block), **bicubic** (OpenCV), a **model trained for it** (shown the blocks), and **manifold projection**: "
    "a bottleneck autoencoder's output, corrected block by block so that shrinking it gives the small digit "
    "again, iterated, as the Repair page keeps the known pixels."
))

stored = stored_figures()
if stored:
    st.info(claim_sentence(*stored), icon=":material/fact_check:")

source_column, _right = st.columns([3, 2])
with source_column:
    clean = digit_source("superres")
if clean is None:
    st.stop()
st.caption(_("Current digit: {label}", label=digit_label("superres")))

broken_model_notice()


@st.fragment
def compare(clean) -> None:
    """The size, the models and the results: changing them reruns only this part of the page."""
    cards = all_cards()
    trained_names = [c["name"] for c in cards if superres.is_superres_model(c)]
    projection_names = [c["name"] for c in cards if c["model"]["arch"] not in CODELESS]
    left, middle, right = st.columns(3)
    factor = left.segmented_control(_("Shrink to (then back to 28×28)"), list(FACTOR_LABELS),
                                    format_func=FACTOR_LABELS.get, default=4, key="superres_factor") or 4
    trained_name = middle.selectbox(
        _("Model trained for super-resolution"), trained_names, key="superres_trained",
        index=trained_names.index(DEFAULT_TRAINED) if DEFAULT_TRAINED in trained_names else 0,
        help=_("Checkpoints trained with `--noise downsample` (both factors in one model).")) if trained_names else None
    projection_name = right.selectbox(
        _("Manifold projection with"), projection_names, key="superres_projection",
        index=projection_names.index(DEFAULT_PROJECTION) if DEFAULT_PROJECTION in projection_names else 0,
        help=_("Any autoencoder with a code.")) if projection_names else None

    trained, projected = {}, {}
    for name, chosen in ((trained_name, trained), (projection_name, projected)):
        if name is None:
            continue
        try:
            chosen[name] = load_model(name)[0]
        except ValueError as err:
            st.error(_("{name} cannot be used: {error} Pick another model.", name=name, error=translated(err)))
    if not trained_names:
        st.info(_("No super-resolution model was found in checkpoints/. Train one with "
                  "`python -m ae_core.train --name superres_resunet --arch resunet --noise downsample "
                  "--p 2 --p-max 4`."))

    x = torch.from_numpy(clean)[None]  # (1, 28, 28)
    low = superres.shrink(x, factor)  # (1, 28/f, 28/f)
    outputs = {name: enlarge(low) for name, enlarge in superres.methods(trained, projected).items()}
    for name in [n for n, out in outputs.items() if not torch.isfinite(out).all()]:  # a model whose training diverged
        st.warning(_("{name}: the model's output is not finite (NaN or infinity), so it is left out. "
                     "Pick another model.", name=method_label(name)))
        del outputs[name]
    side = superres.SIZE // factor
    captions = {"nearest": _("nearest (the {side}×{side} input)", side=side)}
    image_row({_("original"): clean}
              | {captions.get(name, method_label(name)): out[0].numpy() for name, out in outputs.items()}, width=112)

    table = score(x, outputs, torch.zeros_like(x, dtype=torch.bool))[["psnr", "ssim"]]
    winner = table["psnr"].idxmax()
    margin = table.loc[winner, "psnr"] - table.loc["bicubic", "psnr"]
    if winner != "bicubic":
        st.markdown(_("**Best on this digit: {winner}** ({psnr:.1f} dB, {margin:+.1f} dB over bicubic).",
                      winner=method_label(winner), psnr=table.loc[winner, "psnr"], margin=margin))
    else:
        st.markdown(_("**Best on this digit: {winner}** ({psnr:.1f} dB, the interpolation itself).",
                      winner=method_label(winner), psnr=table.loc[winner, "psnr"]))
    st.dataframe(table.rename(index=method_label), column_config=columns(), key="superres_metrics")
    st.caption(_("Each enlargement compared with the original digit, by the one convention of the Benchmarks "
                 "page."))


compare(clean)
