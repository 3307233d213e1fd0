"""Corruptions of digits. Each returns `(corrupted, known_mask)`; known_mask is True where a pixel is intact.

Works on one digit (28, 28) or a batch (B, 28, 28), torch or numpy, in the lecture's [-1, 1] space, and
returns the same kind and shape. Pixels must be finite: NaN or infinite ones raise ValueError, as do levels
out of range. Randomness is reproducible in two ways:
- `seed=s`: digit i of a batch uses its own generator seeded s + i (modulo 2**64, so any int will do), so a
  digit's damage does not depend on which batch it is in (the benchmark's "seeded per image"); a single
  digit uses s itself.
- `generator=g`: one draw for the whole batch, the fast path for training.
"""

import torch

from ae_core import superres
from ae_core.arrays import as_batch, restore
from ae_core.errors import InputError

GREY = 0.0  # mid-grey in [-1, 1]: what dropout leaves in a dropped pixel, and the patch colour
BACKGROUND = -1.0  # the background of an MNIST digit in [-1, 1]


def _uniform(shape, seed: int | None, generator: torch.Generator | None) -> torch.Tensor:
    """Uniform [0, 1) numbers of `shape` (B, ...), seeded per digit or drawn from one generator."""
    if generator is not None:
        return torch.rand(shape, generator=generator)
    if seed is None:
        return torch.rand(shape)
    if shape[0] == 0:
        return torch.empty(shape)
    return torch.stack([torch.rand(shape[1:], generator=torch.Generator().manual_seed((seed + i) % 2**64))
                        for i in range(shape[0])])


def _digits(images) -> tuple[torch.Tensor, bool, bool]:
    """`as_batch` for the corruptions: (B, 28, 28) float32 of finite pixels, one-digit flag, numpy flag."""
    x, single, is_numpy = as_batch(images)
    if not torch.isfinite(x).all():
        raise InputError("The digits contain NaN or infinite pixel values: corrupt finite images in [-1, 1].")
    return x, single, is_numpy


def _check_rate(p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise InputError("The drop rate p must be between 0 and 1, not {p}.", p=p)
    return float(p)


def dropout(images, p: float = 0.5, seed: int | None = None, generator: torch.Generator | None = None):
    """The lecture's noise: `img * nn.Dropout(p)(torch.ones(img.shape))`.

    Each pixel is dropped with probability p; kept pixels are scaled by 1/(1-p) as Dropout does, dropped
    ones become 0 (mid-grey in [-1, 1]). p = 1 drops everything, like nn.Dropout(p=1).
    """
    p = _check_rate(p)
    x, single, is_numpy = _digits(images)
    known = _uniform(x.shape, seed, generator) >= p  # (B, 28, 28), True with probability 1 - p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    corrupted = x * known * scale
    return restore(corrupted, single, is_numpy), restore(known, single, is_numpy)


def mask(images, p: float = 0.5, seed: int | None = None, generator: torch.Generator | None = None):
    """Plain masking: each pixel is dropped with probability p and set to the background; no rescaling."""
    p = _check_rate(p)
    x, single, is_numpy = _digits(images)
    known = _uniform(x.shape, seed, generator) >= p
    corrupted = torch.where(known, x, torch.full_like(x, BACKGROUND))
    return restore(corrupted, single, is_numpy), restore(known, single, is_numpy)


def patch(images, top: int = 10, left: int = 10, size: int = 8):
    """A grey square of side `size` with its top-left corner at (top, left), the lecture's Fig. 10.

    The square is clipped to the image; one that lies wholly outside damages nothing.
    """
    if size < 0:
        raise InputError("The patch size must be >= 0, not {size}.", size=size)
    x, single, is_numpy = _digits(images)
    known = torch.ones_like(x, dtype=torch.bool)
    known[:, max(top, 0):max(top + size, 0), max(left, 0):max(left + size, 0)] = False
    corrupted = torch.where(known, x, torch.full_like(x, GREY))
    return restore(corrupted, single, is_numpy), restore(known, single, is_numpy)


def random_patch(images, size: int = 8, seed: int | None = None, generator: torch.Generator | None = None):
    """A grey square of side `size` at a random position inside each digit (for training and benchmarks)."""
    if not 0 <= size <= 28:
        raise InputError("The patch size must be between 0 and 28, not {size}.", size=size)
    x, single, is_numpy = _digits(images)
    corners = (_uniform((x.shape[0], 2), seed, generator) * (29 - size)).long()  # (B, 2): top, left
    rows = torch.arange(28).view(1, 28, 1)
    cols = torch.arange(28).view(1, 1, 28)
    top, left = corners[:, 0].view(-1, 1, 1), corners[:, 1].view(-1, 1, 1)
    inside = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)  # (B, 28, 28)
    corrupted = torch.where(inside, torch.full_like(x, GREY), x)
    return restore(corrupted, single, is_numpy), restore(~inside, single, is_numpy)


def gaussian(images, sigma: float = 0.5, seed: int | None = None, generator: torch.Generator | None = None):
    """Additive Gaussian noise of standard deviation sigma (in [-1, 1] units) on every pixel.

    Every pixel is touched, so the known mask is all False: there is nothing for inpainting to keep.
    """
    if not 0 <= sigma < float("inf"):
        raise InputError("The noise level sigma must be a finite number >= 0, not {sigma}.", sigma=sigma)
    x, single, is_numpy = _digits(images)
    # Box-Muller on seeded uniforms keeps the per-digit seeding of the other corruptions.
    u1 = _uniform(x.shape, seed, generator).clamp_min(1e-12)
    u2 = _uniform(x.shape, None if seed is None else seed + 1_000_003, generator)
    normal = torch.sqrt(-2 * torch.log(u1)) * torch.cos(2 * torch.pi * u2)
    corrupted = x + sigma * normal
    known = torch.zeros_like(x, dtype=torch.bool) if sigma > 0 else torch.ones_like(x, dtype=torch.bool)
    return restore(corrupted, single, is_numpy), restore(known, single, is_numpy)


def given_mask(images, known_mask, fill: float = GREY):
    """Damage chosen by the caller (say a mask the user painted): pixels where known_mask is False are
    set to `fill` (mid-grey by default). One mask may serve a whole batch."""
    x, single, is_numpy = _digits(images)
    known, _, _ = as_batch(known_mask, dtype=torch.bool)
    if known.shape[0] not in (1, x.shape[0]):
        raise InputError("Give one mask, or one mask per digit.")
    known = known.expand_as(x).clone()
    corrupted = torch.where(known, x, torch.full_like(x, fill))
    return restore(corrupted, single, is_numpy), restore(known, single, is_numpy)


def downsample(images, factor: int = 4):
    """A digit shrunk by area averaging (superres.shrink) and shown at 28x28 as blocks: the input of a
    super-resolution model. Every pixel may differ from the original, so the known mask is all False."""
    x, single, is_numpy = _digits(images)
    corrupted = superres.enlarge(superres.shrink(x, factor), "nearest")
    return restore(corrupted, single, is_numpy), restore(torch.zeros_like(x, dtype=torch.bool), single, is_numpy)


KINDS = {"dropout": dropout, "mask": mask, "gaussian": gaussian}


def corrupt(images, kind: str, level: float, seed: int | None = None,
            generator: torch.Generator | None = None):
    """One entry point for training and benchmarks: `level` is p for "dropout" and "mask", sigma for
    "gaussian", the patch side as a fraction of 28 for "patch" (random position), between 0 and 1, and the
    shrink factor for "downsample" (2 or 4; no randomness)."""
    if kind == "downsample":
        if level != round(level):
            raise InputError("The shrink factor must be a whole number (2 or 4), not {level}.", level=level)
        return downsample(images, int(round(level)))
    if kind == "patch":
        if not 0.0 <= level <= 1.0:
            raise InputError("The patch size must be a fraction of the digit between 0 and 1, not {level}.",
                             level=level)
        return random_patch(images, round(level * 28), seed=seed, generator=generator)
    if kind not in KINDS:
        raise InputError("Unknown damage {kind!r}; choose dropout, mask, patch, gaussian or downsample.", kind=kind)
    return KINDS[kind](images, level, seed=seed, generator=generator)
