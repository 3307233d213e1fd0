"""The encoder's kernels as numbers: where digits have ink, and how much kernel weight lies elsewhere.

The lecture (Fig. 22-23) shows the rows of W_h as 28x28 images and observes that the denoising AE's
kernels are flat outside the area where digits are drawn, while the standard AE's are noisy everywhere.
`digit_region` finds that area from a set of digits; `energy_outside` and `mean_abs` measure how much of
a model's kernels lies outside it. `by_norm` and `tile` order and lay out kernels for display.
Kernels are (d, 28, 28), torch or numpy; results are numpy.
"""

import numpy as np

from ae_core.errors import InputError

INK = -0.5  # a pixel "has ink" above -0.5 on [-1, 1], i.e. above a quarter of full brightness (64 of 255)
MIN_FRACTION = 0.01  # a pixel is in the digit region if at least 1% of the digits have ink there


def digit_region(images, ink: float = INK, min_fraction: float = MIN_FRACTION) -> np.ndarray:
    """(28, 28) bool: the pixels where at least `min_fraction` of `images` (N, 28, 28) have ink (> `ink`).

    A fraction rather than "any digit" so that a few stray strokes do not claim the whole image."""
    pixels = np.asarray(images, dtype=np.float32)  # (N, 28, 28)
    if pixels.ndim != 3 or len(pixels) == 0:
        raise InputError("Expected a non-empty batch of digits (N, 28, 28), got shape {shape}.", shape=pixels.shape)
    return (pixels > ink).mean(axis=0) >= min_fraction  # (28, 28)


def _as_kernels(kernels) -> np.ndarray:
    w = np.asarray(kernels, dtype=np.float64)
    if w.ndim != 3:
        raise InputError("Expected kernels (d, H, W), got shape {shape}.", shape=w.shape)
    return w


def energy_outside(kernels, region) -> float:
    """The fraction of the kernels' energy, sum of w^2 over all kernels, that lies outside `region`.

    0 means the kernels ignore everything outside the digit region; a kernel spread evenly over the
    image scores the fraction of pixels outside the region. 0.0 for all-zero kernels."""
    w2 = _as_kernels(kernels) ** 2  # (d, 28, 28)
    total = w2.sum()
    return float(w2[:, ~np.asarray(region, dtype=bool)].sum() / total) if total > 0 else 0.0


def mean_abs(kernels, region) -> tuple[float, float]:
    """(mean |w| outside `region`, mean |w| inside it), over all kernels; NaN for an empty side."""
    w = np.abs(_as_kernels(kernels))  # (d, 28, 28)
    inside = np.asarray(region, dtype=bool)
    outside_w, inside_w = w[:, ~inside], w[:, inside]  # (d, n_out), (d, n_in)
    return (float(outside_w.mean()) if outside_w.size else float("nan"),
            float(inside_w.mean()) if inside_w.size else float("nan"))


def by_norm(kernels) -> np.ndarray:
    """Kernel indices, largest L2 norm first (ties keep index order): (d,) int."""
    w = _as_kernels(kernels)
    norms = np.sqrt((w.reshape(len(w), -1) ** 2).sum(axis=1))  # (d,)
    return np.argsort(-norms, kind="stable")


def tile(kernels, labels=None, per_row: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Lay kernels (n, H, W) out in rows of `per_row`, separated by 1-pixel NaN gutters.

    Returns (image, label): image (rows*(H+1)-1, cols*(W+1)-1) float with NaN in the gutters and unused
    cells, and label of the same shape, the number of the kernel each pixel belongs to (`labels`, (n,),
    default 0..n-1; -1 in the gaps), so one heatmap can draw every kernel and name it in its hover."""
    w = _as_kernels(kernels)
    n, h, wd = w.shape
    labels = np.arange(n) if labels is None else np.asarray(labels)
    if n == 0 or per_row < 1 or labels.shape != (n,):
        raise InputError("Need at least one kernel, one label per kernel and per_row >= 1, got {n} kernels, "
                         "labels of shape {shape} and per_row={per_row}.", n=n, shape=labels.shape, per_row=per_row)
    cols = min(per_row, n)
    rows = -(-n // cols)  # ceiling division
    image = np.full((rows * (h + 1) - 1, cols * (wd + 1) - 1), np.nan)
    label = np.full(image.shape, -1, dtype=np.int64)
    for i in range(n):
        top, left = (i // cols) * (h + 1), (i % cols) * (wd + 1)
        image[top:top + h, left:left + wd] = w[i]
        label[top:top + h, left:left + wd] = labels[i]
    return image, label
