"""Using a trained autoencoder: reconstruct, encode, decode, interpolate and inpaint.

Everything runs under `torch.inference_mode()` and never changes the model, so one cached model can
serve many users. Images are one digit (28, 28) or a batch (B, 28, 28), torch or numpy, in [-1, 1];
outputs come back in the same kind and shape.
"""

import numpy as np
import torch
from torch import nn

from ae_core.arrays import as_batch, restore
from ae_core.errors import InputError
from ae_core.models import apply


@torch.inference_mode()
def reconstruct(model: nn.Module, images):
    """The model's output for `images`: x_hat = decode(encode(x)). Also the one-shot inpainting."""
    x, single, is_numpy = as_batch(images)
    return restore(model(x), single, is_numpy)


@torch.inference_mode()
def repair(model: nn.Module, damaged, known_mask):
    """One-shot inpainting: the model's output for the damaged digit(s). Mask-aware models (the U-Net)
    are told which pixels are known; autoencoders see the damaged image only, as in the lecture."""
    x, single, is_numpy = as_batch(damaged)
    known, _, _ = as_batch(known_mask, dtype=torch.bool)
    return restore(apply(model, x, known.expand_as(x)), single, is_numpy)


@torch.inference_mode()
def encode(model: nn.Module, images):
    """The code h of each digit: (d,) for one digit, (B, d) for a batch."""
    x, single, is_numpy = as_batch(images)
    return restore(model.encode(x), single, is_numpy)


@torch.inference_mode()
def decode(model: nn.Module, codes):
    """Digits from codes: (d,) -> (28, 28), (B, d) -> (B, 28, 28)."""
    is_numpy = isinstance(codes, np.ndarray)
    h = torch.as_tensor(codes, dtype=torch.float32)
    single = h.dim() == 1
    return restore(model.decode(h.reshape(1, -1) if single else h), single, is_numpy)


def _alphas(steps: int) -> torch.Tensor:
    if steps < 1:
        raise InputError("An interpolation needs at least one step, not {steps}.", steps=steps)
    return torch.linspace(0, 1, steps) if steps > 1 else torch.zeros(1)


def interpolate_pixels(a, b, steps: int = 10):
    """The pixel-space blend (1 - alpha) a + alpha b for `steps` alphas from 0 to 1: (steps, 28, 28).

    This fades one digit into the other (the lecture's dog/bird overlay); the frames in between are
    usually not digits at all.
    """
    xa, _, is_numpy = as_batch(a)
    xb, _, _ = as_batch(b)
    alpha = _alphas(steps).view(-1, 1, 1)
    return restore((1 - alpha) * xa + alpha * xb, False, is_numpy)


@torch.inference_mode()
def interpolate_latent(model: nn.Module, a, b, steps: int = 10):
    """Decode the blend of the two codes, (steps, 28, 28): a walk along the learned manifold, so the
    frames in between stay digit-like (the lecture's dog turning into a bird)."""
    xa, _, is_numpy = as_batch(a)
    xb, _, _ = as_batch(b)
    ha, hb = model.encode(xa), model.encode(xb)  # (1, d) each
    alpha = _alphas(steps).view(-1, 1)
    return restore(model.decode((1 - alpha) * ha + alpha * hb), False, is_numpy)


# Iterations of manifold projection. Measured by hand on the last 1,000 training digits (not the test set),
# dropout p = 0.1 to 0.9, with denoising_d500 and standard_d30: PSNR peaks after 2 to 5 steps at every p and
# then drifts down (denoising_d500 at p = 0.5: 22.6 dB after 3 steps, 21.9 after 20; at p = 0.9: 14.3
# and 13.9), so 3 is both better and about 7x cheaper than the 20 used before.
PROJECTION_STEPS = 3


def projection_name(model_name: str) -> str:
    """What every table, plot and page calls manifold projection with the checkpoint `model_name`."""
    return f"projection: {model_name}"


@torch.inference_mode()
def project(model: nn.Module, image, known_mask, start=None, steps: int = PROJECTION_STEPS):
    """Inpaint by projecting onto the model's manifold: the lecture's "closest point on the training
    manifold" (Fig. 10-11), done by iteration instead of gradient descent on an energy.

    x_0 = start (default: the known pixels with mid-grey holes); then x_{k+1} = model(x_k) with the known
    pixels pasted back each time. Only the known pixels of `image` are read. Returns that composite.
    """
    if steps < 1:
        raise InputError("Projection needs at least one step, not {steps}.", steps=steps)
    x, single, is_numpy = as_batch(image)
    known, _, _ = as_batch(known_mask, dtype=torch.bool)
    observed = torch.where(known, x, torch.zeros_like(x))  # (B, 28, 28)
    current = observed if start is None else as_batch(start)[0]
    for _ in range(steps):
        current = torch.where(known, observed, model(current))
    return restore(current, single, is_numpy)
