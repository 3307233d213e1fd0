"""Home: what an autoencoder is, what each page offers, the models AE Lab ships (from their cards), and the
lecture's terms in English and Turkish."""

import pandas as pd
import streamlit as st

from ae_core.checkpoint import default_dir
from ae_core.config import CODELESS
from ui import labels
from ui.glossary import GLOSSARY, GLOSSARY_NOTES
from ui.i18n import _, n_, number
from ui.loaders import broken_model_notice, model_cards


def _dot(text: str) -> str:
    """Text for a DOT label in double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def diagram(d: int, code_height: float) -> str:
    """Graphviz DOT of x -> encoder -> h -> decoder -> x_hat; the code's box height shows its size d. Short labels
    (the formulas are in the text above it), so the diagram is less wide."""
    pixels = _dot(n_("{n} pixel", "{n} pixels", 784, n=784))
    encoder, code, decoder = _dot(_("encoder")), _dot(_("code h")), _dot(_("decoder"))
    return f"""digraph {{
  rankdir=LR; bgcolor="transparent"; node [fontname="Helvetica", fontsize=16, style=filled];
  x [label="x\\n{pixels}", shape=box, height=1.6, width=0.9, fillcolor="#dbe9f6"];
  enc [label="{encoder}", shape=invtrapezium, fillcolor="#f4f4f4"];
  h [label="{code}\\nd = {d}", shape=box, height={code_height}, width=0.9, fillcolor="#ffe5b4"];
  dec [label="{decoder}", shape=trapezium, fillcolor="#f4f4f4"];
  xhat [label="x̂\\n{pixels}", shape=box, height=1.6, width=0.9, fillcolor="#dbe9f6"];
  x -> enc -> h -> dec -> xhat;
}}"""


def figure(card: dict, condition: str) -> float | None:
    """A PSNR from the card, or None if the card has none (a run stopped before it was measured)."""
    return (card.get("metrics") or {}).get(condition, {}).get("psnr")


def pages_listing() -> str:
    """What each page offers, in the router's sections and order; the page and section names are the router's
    messages (app.py), so they read as the menu does."""
    lecture = [
        _("**{page}** (Figs. 1 and 12): new digits decoded from a Gaussian fitted to a bottleneck autoencoder's "
          "codes, any digit or a class you ask for (caption to image), each beside its nearest training digit to "
          "show it is new.", page=_("Generate")),
        _("**{page}** (Figs. 2–4): walk from one digit to another in pixel space and in the code space, and see "
          "which path stays among digits.", page=_("Interpolate")),
        _("**{page}** (Figs. 5–8): sweep a digit along zoom, shift, rotation or brightness and see how far it moves "
          "in pixel space and in code space, and its path on the latent map.", page=_("Transformations")),
        _("**{page}** (Fig. 9): shrink a digit to 14×14 or 7×7 and bring it back by nearest, bicubic, a model "
          "trained for it and manifold projection, with PSNR and SSIM.", page=_("Super-resolution")),
        _("**{page}** (Figs. 10–11): draw, pick or upload a digit, damage it (the lecture's dropout noise, masking, "
          "a grey patch, Gaussian noise or a mask you paint) and compare the autoencoders, manifold projection and "
          "the best model against Telea, Navier-Stokes and biharmonic inpainting, with numbers and the winner.",
          page=_("Repair")),
        _("**{page}** (the encoder as an image compressor): bits per digit for the code at float32, float16 or 8, "
          "6 and 4 bits, against PCA, JPEG, WebP and PNG on a rate–distortion plot.", page=_("Compress")),
        _("**{page}** (Figs. 15–19): standard, denoising and contractive autoencoders trained in a second on a "
          "curve; arrows show where each point is sent.", page=_("Toy manifolds")),
        _("**{page}** (the notebook's last figures): the encoder's learned weights as images, standard vs "
          "denoising.", page=_("Kernels")),
    ]
    explore = [
        _("**{page}**: the test set's codes on a 2-D map, your digit on it; click anywhere to decode.",
          page=_("Latent map")),
        _("**{page}**: how unusual a digit looks to a bottleneck autoencoder (try drawing a letter).",
          page=_("Anomaly score")),
        _("**{page}**: every method on the whole test set, as curves and tables, and any model measured on demand.",
          page=_("Benchmarks")),
    ]
    yours = [
        _("**{page}**: pick an architecture, a code size, a damage and a loss, train in the background with a live "
          "loss curve, then use your model on every page or download it.", page=_("Train your own")),
    ]
    lines = [_("**{section}**, in its order: first what autoencoders are for, then the models.",
               section=_("The lecture"))]
    lines += [f"- {item}" for item in lecture]
    explore_title, yours_title = _("Explore"), _("Your models")
    lines += ["", f"**{explore_title}**"] + [f"- {item}" for item in explore]
    lines += ["", f"**{yours_title}**"] + [f"- {item}" for item in yours]
    return "\n".join(lines)


def glossary() -> pd.DataFrame:
    """The glossary: the terms in both languages (data) and the note in the session's language; the column
    headers are the session's too."""
    english, turkish, note = _("English term"), _("Turkish term (the lecture)"), _("Note")
    return pd.DataFrame([{english: en, turkish: tr, note: _(GLOSSARY_NOTES[en]) if en in GLOSSARY_NOTES else ""}
                         for en, tr in GLOSSARY])


st.title("AE Lab")
st.write(_(
    "An **autoencoder** is a network trained to give back its input. Its **encoder** maps a digit x to a "
    "code h = tanh(W_h x + b_h), its **decoder** maps h back to a reconstruction x̂ = tanh(W_x h + b_x), and "
    "training makes x̂ close to x. That "
    "sounds pointless until you restrict it: squeeze x through a small code, or feed it damaged digits and "
    "ask for the clean ones. Then, to succeed, it has to learn what digits look like."
))
st.write(_(
    "An **under-complete** code (smaller than the input, the lecture's d = 30) forces a compressed "
    "description, like PCA but non-linear. An **over-complete** code (the lecture's d = 500 for 784 pixels "
    "is already generous) could simply copy its input, so it needs another constraint: the "
    "**denoising** autoencoder sees damaged digits and must output the clean one, which teaches it where "
    "real digits lie, the training manifold. The lecture says this makes it repair digits better than "
    "classical inpainting. Measured here, on scattered missing pixels the lecture's own denoising "
    "autoencoder loses to the strongest classical method, biharmonic inpainting; a mask-aware U-Net beats "
    "it by about 4 dB (see {page}).", page=_("Benchmarks")
))
st.graphviz_chart(diagram(30, 0.5), width="stretch")
st.caption(_("Under-complete: the standard autoencoder, 784 → 30 → 784. The code is a bottleneck."))
st.graphviz_chart(diagram(500, 1.3), width="stretch")
st.caption(_("A wide code, 784 → 500 → 784, trained to denoise: the lecture's denoising autoencoder."))

st.subheader(_("What you can do here"))
st.markdown(pages_listing())

st.subheader(_("Shipped models"))
broken_model_notice()
cards = model_cards()[0]
if not cards:
    st.info(_("No usable model checkpoints were found in {folder}. Train one with "
              "`python -m ae_core.train --name my_model` and reload this page.", folder=str(default_dir())))
else:
    # Two narrow tables, not one wide one: each fits a phone. What each model is, then what it scores.
    code_size = _("code size d")
    models = pd.DataFrame(
        [{_("name"): c["name"], _("architecture"): labels.architecture(c["model"]["arch"]),
          code_size: None if c["model"]["arch"] in CODELESS else c["model"]["code_size"],
          _("training noise"): labels.noise(c["training"]["noise"]), _("epochs"): c["epochs"]} for c in cards]
    ).set_index(_("name"))
    st.table(models.style.format({code_size: lambda v: number(v, ".0f")}, na_rep="—"))
    scores = pd.DataFrame(
        # a U-Net has no bottleneck: an undamaged digit passes through unchanged, so no clean figure
        [{_("name"): c["name"], _("clean"): None if c["model"]["arch"] in CODELESS else figure(c, "clean"),
          _("dropout"): figure(c, "dropout"),
          "7×7 → 28×28": ((c.get("metrics") or {}).get("superres") or {}).get("4", {}).get("psnr")}
         for c in cards]).set_index(_("name"))
    st.table(scores.style.format(lambda v: number(v, ".2f"), na_rep="—"))
    st.caption(_("PSNR (dB) on the MNIST test set, [0, 1] pixels, averaged per image: higher is better. "
                 "Dropout: the lecture's noise at p = {p:g}, repaired in one pass. A U-Net has no code: it "
                 "repairs, it does not compress. 7×7 → 28×28: a digit shrunk to 7×7 and enlarged again by a "
                 "model trained for it ({page}).", p=0.5, page=_("Super-resolution")))

st.subheader(_("Glossary (English ↔ Türkçe)"))
st.caption(_("The lecture's terms, and the words its Turkish translation uses for them. The app's Turkish text "
             "uses the same words; the note says where it does not."))
# A data frame, not st.table: sortable and searchable, and the page's tables stay the models' two.
terms = glossary()
st.dataframe(terms, hide_index=True, height="content",
             column_config={terms.columns[0]: st.column_config.TextColumn(width="medium", pinned=True),
                            terms.columns[1]: st.column_config.TextColumn(width="medium"),
                            terms.columns[2]: st.column_config.TextColumn(width="large")})
