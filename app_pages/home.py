"""Home: what an autoencoder is, what each page offers, and the models AE Lab ships (from their cards)."""

import pandas as pd
import streamlit as st

from ae_core.checkpoint import default_dir
from ae_core.config import CODELESS
from ui.loaders import broken_model_notice, model_cards


def diagram(code_label: str, code_height: float) -> str:
    """Graphviz DOT of x -> encoder -> h -> decoder -> x_hat; the code's box height shows its size. Short labels
    (the formulas are in the text above it), so the diagram is less wide."""
    return f"""digraph {{
  rankdir=LR; bgcolor="transparent"; node [fontname="Helvetica", fontsize=16, style=filled];
  x [label="x\\n784 pixels", shape=box, height=1.6, width=0.9, fillcolor="#dbe9f6"];
  enc [label="encoder", shape=invtrapezium, fillcolor="#f4f4f4"];
  h [label="{code_label}", shape=box, height={code_height}, width=0.9, fillcolor="#ffe5b4"];
  dec [label="decoder", shape=trapezium, fillcolor="#f4f4f4"];
  xhat [label="x̂\\n784 pixels", shape=box, height=1.6, width=0.9, fillcolor="#dbe9f6"];
  x -> enc -> h -> dec -> xhat;
}}"""


def figure(card: dict, condition: str) -> float | None:
    """A PSNR from the card, or None if the card has none (a run stopped before it was measured)."""
    return (card.get("metrics") or {}).get(condition, {}).get("psnr")


st.title("AE Lab")
st.write(
    "An **autoencoder** is a network trained to give back its input. Its **encoder** maps a digit x to a "
    "code h = tanh(W_h x + b_h), its **decoder** maps h back to a reconstruction x̂ = tanh(W_x h + b_x), and "
    "training makes x̂ close to x. That "
    "sounds pointless until you restrict it: squeeze x through a small code, or feed it damaged digits and "
    "ask for the clean ones. Then, to succeed, it has to learn what digits look like."
)
st.write(
    "An **under-complete** code (smaller than the input, the lecture's d = 30) forces a compressed "
    "description, like PCA but non-linear. An **over-complete** code (the lecture's d = 500 for 784 pixels "
    "is already generous) could simply copy its input, so it needs another constraint: the "
    "**denoising** autoencoder sees damaged digits and must output the clean one, which teaches it where "
    "real digits lie, the training manifold. The lecture says this makes it repair digits better than "
    "classical inpainting. Measured here, on scattered missing pixels the lecture's own denoising "
    "autoencoder loses to the strongest classical method, biharmonic inpainting; a mask-aware U-Net beats "
    "it by about 4 dB (see Benchmarks)."
)
st.graphviz_chart(diagram("code h\\nd = 30", 0.5), width="stretch")
st.caption("Under-complete: the standard autoencoder, 784 → 30 → 784. The code is a bottleneck.")
st.graphviz_chart(diagram("code h\\nd = 500", 1.3), width="stretch")
st.caption("A wide code, 784 → 500 → 784, trained to denoise: the lecture's denoising autoencoder.")

st.subheader("What you can do here")
st.markdown(
    "**The lecture**, in its order: first what autoencoders are for, then the models.\n"
    "- **Generate** (Figs. 1 and 12): new digits decoded from a Gaussian fitted to a bottleneck "
    "autoencoder's codes, any digit or a class you ask for (caption to image), each beside its nearest "
    "training digit to show it is new.\n"
    "- **Interpolate** (Figs. 2–4): walk from one digit to another in pixel space and in the code space, and "
    "see which path stays among digits.\n"
    "- **Transformations** (Figs. 5–8): sweep a digit along zoom, shift, rotation or brightness and see how "
    "far it moves in pixel space and in code space, and its path on the latent map.\n"
    "- **Super-resolution** (Fig. 9): shrink a digit to 14×14 or 7×7 and bring it back by nearest, bicubic, "
    "a model trained for it and manifold projection, with PSNR and SSIM.\n"
    "- **Repair** (Figs. 10–11): draw, pick or upload a digit, damage it (the lecture's dropout noise, "
    "masking, a grey patch, Gaussian noise or a mask you paint) and compare the autoencoders, manifold "
    "projection and the best model against Telea, Navier-Stokes and biharmonic inpainting, with numbers "
    "and the winner.\n"
    "- **Compress** (the encoder as an image compressor): bits per digit for the code at float32, float16 "
    "or 8, 6 and 4 bits, against PCA, JPEG, WebP and PNG on a rate–distortion plot.\n"
    "- **Toy manifolds** (Figs. 15–19): standard, denoising and contractive autoencoders trained in a "
    "second on a curve; arrows show where each point is sent.\n"
    "- **Kernels** (the notebook's last figures): the encoder's learned weights as images, standard vs "
    "denoising.\n\n"
    "**Explore**\n"
    "- **Latent map**: the test set's codes on a 2-D map, your digit on it; click anywhere to decode.\n"
    "- **Anomaly score**: how unusual a digit looks to a bottleneck autoencoder (try drawing a letter).\n"
    "- **Benchmarks**: every method on the whole test set, as curves and tables, and any model measured "
    "on demand.\n\n"
    "**Your models**\n"
    "- **Train your own**: pick an architecture, a code size, a damage and a loss, train in the background "
    "with a live loss curve, then use your model on every page or download it."
)

st.subheader("Shipped models")
broken_model_notice()
cards = model_cards()[0]
if not cards:
    st.info(f"No usable model checkpoints were found in {default_dir()}. Train one with "
            "`python -m ae_core.train --name my_model` and reload this page.")
else:
    # Two narrow tables, not one wide one: each fits a phone. What each model is, then what it scores.
    models = pd.DataFrame(
        [{"name": c["name"], "architecture": c["model"]["arch"],
          "code size d": None if c["model"]["arch"] in CODELESS else c["model"]["code_size"],
          "training noise": c["training"]["noise"], "epochs": c["epochs"]} for c in cards]).set_index("name")
    st.table(models.style.format({"code size d": "{:.0f}"}, na_rep="—"))
    scores = pd.DataFrame(
        # a U-Net has no bottleneck: an undamaged digit passes through unchanged, so no clean figure
        [{"name": c["name"], "clean": None if c["model"]["arch"] in CODELESS else figure(c, "clean"),
          "dropout": figure(c, "dropout"),
          "7×7 → 28×28": ((c.get("metrics") or {}).get("superres") or {}).get("4", {}).get("psnr")}
         for c in cards]).set_index("name")
    st.table(scores.style.format("{:.2f}", na_rep="—"))
    st.caption("PSNR (dB) on the MNIST test set, [0, 1] pixels, averaged per image: higher is better. "
               "Dropout: the lecture's noise at p = 0.5, repaired in one pass. A U-Net has no code: it "
               "repairs, it does not compress. 7×7 → 28×28: a digit shrunk to 7×7 and enlarged again by a "
               "model trained for it (Super-resolution).")
