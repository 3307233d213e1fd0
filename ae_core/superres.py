"""Super-resolution (the lecture's Fig. 9): a digit shrunk by area averaging, then brought back to 28x28.

The lecture shows an autoencoder beating bicubic interpolation at enlarging faces. Here a digit (28, 28)
is shrunk by an integer `factor` (2 -> 14x14, 4 -> 7x7) by averaging each factor x factor block, and
enlarged again four ways:
- `enlarge(low, "nearest")`: each low-resolution pixel becomes a block (what the trained model is fed);
- `enlarge(low, "bicubic")`: OpenCV's bicubic interpolation, the lecture's baseline;
- a model trained for it (`noise.downsample` damage): `upscale(model, low)`;
- `project(model, low)`: manifold projection, the Repair page's iteration with "shrinking the output gives
  the input" in place of "known pixels are kept".

Low-resolution images are (s, s) or (B, s, s) with s = 28 / factor, torch or numpy, in [-1, 1]; outputs
come back in the same kind, with the batch axis only if the input had one.
"""

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ae_core.arrays import as_batch, restore
from ae_core.config import SHRINK_FACTORS
from ae_core.errors import InputError
from ae_core.inference import PROJECTION_STEPS, projection_name, repair

SIZE = 28
FACTORS = (2, 4)  # the factors offered and benchmarked: 28x28 <- 14x14 and <- 7x7
METHODS = ("nearest", "bicubic")


def _check_factor(factor: int) -> int:
    if not isinstance(factor, (int, np.integer)) or factor not in SHRINK_FACTORS:
        raise InputError("The shrink factor must be a whole number above 1 that divides 28 (2, 4, 7 or 14), "
                         "not {factor!r}.", factor=factor)
    return int(factor)


def _low_batch(low) -> tuple[torch.Tensor, bool, bool, int]:
    """Low-resolution input as (B, s, s) float32, one-image flag, numpy flag, and its factor 28 / s."""
    is_numpy = isinstance(low, np.ndarray)
    x = torch.as_tensor(low).to(torch.float32)
    if x.dim() not in (2, 3) or x.shape[-1] != x.shape[-2] or x.shape[-1] < 1 or SIZE % x.shape[-1]:
        raise InputError("Expected a square low-resolution digit whose side divides 28 (14x14, 7x7, ...) "
                         "or a batch of them, got shape {shape}.", shape=tuple(x.shape))
    if not torch.isfinite(x).all():
        raise InputError("The low-resolution digit contains NaN or infinite pixel values.")
    single = x.dim() == 2
    return (x.unsqueeze(0) if single else x), single, is_numpy, SIZE // x.shape[-1]


def shrink(images, factor: int):
    """Area averaging: each factor x factor block of a digit (28, 28) or batch becomes one pixel."""
    factor = _check_factor(factor)
    x, single, is_numpy = as_batch(images)
    low = F.avg_pool2d(x.unsqueeze(1), factor).squeeze(1)  # (B, 28/f, 28/f)
    return restore(low, single, is_numpy)


def _blocks(low: torch.Tensor, factor: int) -> torch.Tensor:
    """(B, s, s) -> (B, 28, 28): every pixel repeated as a factor x factor block."""
    return low.repeat_interleave(factor, dim=1).repeat_interleave(factor, dim=2)


def enlarge(low, method: str = "nearest"):
    """Back to 28x28 without a model: "nearest" repeats each pixel as a block, "bicubic" is OpenCV's
    cv2.resize with INTER_CUBIC (clipped to [-1, 1], since bicubic overshoots at edges)."""
    if method not in METHODS:
        raise InputError("Unknown enlargement {method!r}; choose {options}.", method=method,
                         options=" or ".join(METHODS))
    x, single, is_numpy, factor = _low_batch(low)
    if method == "nearest":
        out = _blocks(x, factor)
    else:
        out = torch.from_numpy(np.stack([cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
                                         for img in x.numpy()])).clamp(-1, 1)  # (B, 28, 28)
    return restore(out, single, is_numpy)


@torch.inference_mode()
def upscale(model: nn.Module, low):
    """A super-resolution model's output (`--noise downsample` in ae_core.train), made consistent with its
    input. The model sees the nearest enlargement (and, mask-aware, that no pixel is known as given); its
    output is then corrected block by block so that shrinking it gives `low` exactly, as a repair keeps
    the known pixels: the enlargement agrees with what was measured (up to clipping to [-1, 1])."""
    x, single, is_numpy, factor = _low_batch(low)
    blocks = _blocks(x, factor)  # (B, 28, 28)
    output = repair(model, blocks, torch.zeros_like(blocks, dtype=torch.bool))
    return restore(_consistent(output, x, factor).clamp(-1, 1), single, is_numpy)


def _consistent(x: torch.Tensor, low: torch.Tensor, factor: int) -> torch.Tensor:
    """Shift each block of x (B, 28, 28) by one constant so that shrinking it gives `low` exactly (before
    any clipping to [-1, 1])."""
    return x + _blocks(low - F.avg_pool2d(x.unsqueeze(1), factor).squeeze(1), factor)


@torch.inference_mode()
def project(model: nn.Module, low, steps: int = PROJECTION_STEPS):
    """Super-resolution by projecting onto a bottleneck model's manifold: x_0 = the nearest enlargement,
    then x_{k+1} = model(x_k) corrected block by block so that shrinking it gives `low` again (the
    constraint, as inference.project keeps the known pixels). Returns the last corrected image, clipped
    to [-1, 1]."""
    if steps < 1:
        raise InputError("Projection needs at least one step, not {steps}.", steps=steps)
    x, single, is_numpy, factor = _low_batch(low)
    current = _blocks(x, factor)
    for _ in range(steps):
        current = _consistent(model(current), x, factor)
    return restore(current.clamp(-1, 1), single, is_numpy)


def methods(trained: dict[str, nn.Module], projected: dict[str, nn.Module]) -> dict:
    """Every way to enlarge, by display name: nearest, bicubic, each trained model, and manifold projection
    with each bottleneck model ("projection: <name>"). Each maps low-resolution digits to (B, 28, 28)."""
    line_up = {"nearest": lambda low: enlarge(low, "nearest"), "bicubic": lambda low: enlarge(low, "bicubic")}
    line_up |= {name: lambda low, m=model: upscale(m, low) for name, model in trained.items()}
    return line_up | {projection_name(name): lambda low, m=model: project(m, low) for name, model in projected.items()}


def is_superres_model(card: dict) -> bool:
    """Whether a checkpoint's card says it was trained for super-resolution (noise "downsample")."""
    return card.get("training", {}).get("noise") == "downsample"
