"""Interpolate: walk from digit A to digit B in pixel space and in an autoencoder's code space."""

import numpy as np
import streamlit as st

from ae_core.inference import decode, encode, interpolate_latent, interpolate_pixels
from ui.digits import digit_label, digit_source
from ui.i18n import _, number, translated
from ui.images import image_row
from ui.loaders import broken_model_notice, load_model, model_names

DEFAULT_MODEL = "standard_d30"
DEFAULT_CLASS_B = 3  # A starts as a 7 (the digit source's default); B as another digit, so the walk goes somewhere

st.title(_("Interpolate"))
st.write(_(
    "Pick two digits, A and B, and walk from one to the other. In **pixel space** the walk is the blend "
    "(1 − α)·A + α·B of the two images. In **latent space** both digits are encoded, the blend is taken of "
    "their codes, and the decoder turns each blended code back into an image. Move α to scrub along the "
    "walk; the strips below show every step of both walks at once."
))

left, right = st.columns(2)
with left:
    st.subheader(_("Digit A"))
    a = digit_source("interp_a")
with right:
    st.subheader(_("Digit B"))
    b = digit_source("interp_b", default_class=DEFAULT_CLASS_B)
if a is None or b is None:
    st.info(_("Choose both digits, A and B, to walk from one to the other."))
    st.stop()
st.caption(_("A: {a} · B: {b}", a=digit_label("interp_a"), b=digit_label("interp_b")))

broken_model_notice()
names = model_names(bottleneck_only=True)
if not names:
    st.info(_("No autoencoder with a code was found in checkpoints/. Train one with "
              "`python -m ae_core.train --name my_model` and reload this page."))
    st.stop()
name = st.selectbox(_("Model"), names, index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0,
                    key="interp_model")
try:
    model, _card = load_model(name)
except ValueError as err:
    st.error(_("{name} cannot be used: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()


@st.fragment
def frames_at_alpha(a: np.ndarray, b: np.ndarray, model, name: str) -> None:
    """α and the two frames at α: scrubbing α reruns only this part of the page."""
    alpha = st.slider(_("α, from A (0) to B (1)"), 0.0, 1.0, 0.5, 0.05, key="interp_alpha")
    pixel = (1 - alpha) * a + alpha * b  # (28, 28)
    latent = decode(model, (1 - alpha) * encode(model, a) + alpha * encode(model, b))  # (28, 28)
    image_row({_("pixel space, α={alpha:.2f}", alpha=alpha): pixel,
               _("latent space ({name}), α={alpha:.2f}", name=name, alpha=alpha): latent}, width=224)


@st.fragment
def strips(a: np.ndarray, b: np.ndarray, model, name: str) -> None:
    """N and every step of both walks: a fragment of its own, so scrubbing α does not redraw them."""
    steps = st.slider(_("N, steps in each strip"), 2, 16, 8, key="interp_steps")
    captions = [f"α={number(t, '.2f')}" for t in np.linspace(0, 1, steps)]
    st.markdown(_("**Pixel space**: a cross-fade"))
    image_row(dict(zip(captions, interpolate_pixels(a, b, steps), strict=True)), width=84)
    st.markdown(_("**Latent space** ({name}): decoded blends of the two codes", name=name))
    image_row(dict(zip(captions, interpolate_latent(model, a, b, steps), strict=True)), width=84)


frames_at_alpha(a, b, model, name)
strips(a, b, model, name)
st.markdown(_(
    "**Why the latent walk stays among digits.** The lecture's example is a dog and a bird: blending their "
    "pixels gives a dog and a bird superimposed, a double exposure that is not a picture of anything. "
    "Pixel-space interpolation is exactly that cross-fade, so the frames halfway along are two faint "
    "digits on top of each other. The latent walk instead sends every point through the decoder, which "
    "has only learned to produce images near the training manifold, so each frame is a digit-like image "
    "and A turns into B by changing shape rather than by fading."
))
