"""Quality figures for repaired digits: PSNR, SSIM and MSE, on the whole image or on a region of it.

One convention everywhere (GUIDE section 5), so every number in the app, a model card or a benchmark can
be compared: each output is compared with the clean digit on [0, 1] pixels, x01 = (clip(x, -1, 1) + 1) / 2,
one figure per image, then averaged over images. Outputs outside [-1, 1] are clipped first, as they would
be on screen. PSNR uses peak 1 and floors the MSE at 1e-10, so a perfect repair reads 100 dB, not inf.

Images are one digit (28, 28) or a batch (B, 28, 28), torch or numpy; a region (and a known_mask) is a
bool array of the same shape. The per-image functions return a float64 numpy array of shape (B,), one
digit counting as B = 1; an image whose region is empty gets NaN. Every figure is finite otherwise: images
of different shapes, or with NaN pixels, raise ValueError.
"""

import numpy as np
import torch
from scipy.ndimage import uniform_filter

from ae_core.arrays import as_batch
from ae_core.errors import InputError, Message

MSE_FLOOR = 1e-10  # smallest MSE PSNR will use: a perfect repair reads 10 * log10(1 / 1e-10) = 100 dB

METRIC_INFO = {  # Messages: a user interface can say them in its own language
    "psnr": Message("PSNR (dB), whole image: higher is better"),
    "ssim": Message("SSIM (-1 to 1), whole image: structural similarity, higher is better"),
    "mse": Message("MSE on [0, 1] pixels, whole image: lower is better"),
    "psnr_repaired": Message("PSNR (dB), repaired pixels only: higher is better"),
    "ssim_repaired": Message("SSIM (-1 to 1), repaired pixels only: higher is better"),
    "mse_repaired": Message("MSE on [0, 1] pixels, repaired pixels only: lower is better"),
}


def _numpy_batch(x, dtype) -> np.ndarray:
    """One digit or a batch, torch or numpy, as a (B, 28, 28) numpy array of `dtype`."""
    batch, _, _ = as_batch(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=dtype)
    return batch.numpy()


def _prepare(clean, output, region=None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check shapes; return clean and output on [0, 1] pixels, (B, 28, 28) float64, and the region as bool."""
    shapes = {"clean": tuple(np.shape(clean)), "output": tuple(np.shape(output))}
    if region is not None:
        shapes["region"] = tuple(np.shape(region))
    if len(set(shapes.values())) > 1:
        raise InputError("The images and the mask must all have the same shape; got {shapes}.", shapes=shapes)
    c01 = (np.clip(_numpy_batch(clean, torch.float64), -1, 1) + 1) / 2  # (B, 28, 28)
    o01 = (np.clip(_numpy_batch(output, torch.float64), -1, 1) + 1) / 2  # (B, 28, 28)
    if np.isnan(c01).any() or np.isnan(o01).any():
        raise InputError("The images contain NaN pixel values, which have no quality figure: "
                         "check the model's output.")
    r = None if region is None else _numpy_batch(region, torch.bool)  # (B, 28, 28)
    return c01, o01, r


def _region_mean(values: np.ndarray, region: np.ndarray | None) -> np.ndarray:
    """Mean of per-pixel `values` (B, 28, 28) over each image's region -> (B,); NaN where the region is empty."""
    if region is None:
        return values.mean(axis=(1, 2))
    counts = region.sum(axis=(1, 2))  # (B,)
    sums = np.where(region, values, 0.0).sum(axis=(1, 2))  # (B,)
    out = np.full(len(values), np.nan)
    out[counts > 0] = sums[counts > 0] / counts[counts > 0]
    return out


def _psnr_from_mse(m: np.ndarray) -> np.ndarray:
    return 10.0 * np.log10(1.0 / np.maximum(m, MSE_FLOOR))  # NaN stays NaN


def _ssim_maps(c01: np.ndarray, o01: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scikit-image's SSIM per image (B,) and its full SSIM map (B, 28, 28), data_range 1.

    `skimage.metrics.structural_similarity` with its defaults (7x7 uniform window, sample covariance,
    K1 = 0.01, K2 = 0.03), computed for the whole batch at once: the same filters and formula, with the
    window spanning one image only (size 1 along the batch axis). Calling scikit-image once per image
    made the 10,000-digit benchmark spend most of its time in Python overhead; tests check the two
    agree to 1e-12.
    """
    window, (k1, k2) = 7, (0.01, 0.03)
    size = (1, window, window)  # (B, 28, 28): never mix neighbouring images
    cov_norm = window**2 / (window**2 - 1)
    ux, uy = uniform_filter(c01, size=size), uniform_filter(o01, size=size)
    vx = cov_norm * (uniform_filter(c01 * c01, size=size) - ux * ux)
    vy = cov_norm * (uniform_filter(o01 * o01, size=size) - uy * uy)
    vxy = cov_norm * (uniform_filter(c01 * o01, size=size) - ux * uy)
    c1, c2 = k1**2, k2**2  # data_range 1
    maps = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux**2 + uy**2 + c1) * (vx + vy + c2))  # (B, 28, 28)
    pad = (window - 1) // 2
    return maps[:, pad:-pad, pad:-pad].mean(axis=(1, 2)), maps


def mse(clean, output, region=None) -> np.ndarray:
    """Mean squared error on [0, 1] pixels per image (B,), over `region` if given."""
    c01, o01, r = _prepare(clean, output, region)
    return _region_mean((c01 - o01) ** 2, r)


def psnr(clean, output, region=None) -> np.ndarray:
    """PSNR in dB with peak 1 per image (B,), over `region` if given; 100 dB for a perfect match."""
    return _psnr_from_mse(mse(clean, output, region))


def ssim(clean, output, region=None) -> np.ndarray:
    """SSIM per image (B,) from scikit-image with data_range=1.

    Without a region this is scikit-image's own figure (the mean of the SSIM map away from the border
    half-window, as in Wang et al.); with a region it is the mean of the full SSIM map over the region's
    pixels, so a region covering the whole image can differ slightly from no region.
    """
    c01, o01, r = _prepare(clean, output, region)
    means, maps = _ssim_maps(c01, o01)  # (B,), (B, 28, 28)
    return means if r is None else _region_mean(maps, r)


def _nanmean(values: np.ndarray) -> float:
    """Mean over the images that have a figure; NaN, without a warning, if none has."""
    return float(np.nanmean(values)) if np.any(~np.isnan(values)) else float("nan")


def per_image(clean, output, known_mask) -> dict[str, np.ndarray]:
    """PSNR, SSIM and MSE of each image, (B,) arrays, on the whole image and on the repaired pixels
    (~known_mask); the repaired figures are NaN for an image with no repaired pixel. Keys: METRIC_INFO.

    One call scores a whole batch: the Repair page stacks every method's output of one digit and scores
    them at once instead of once per method."""
    c01, o01, known = _prepare(clean, output, known_mask)
    repaired = ~known  # (B, 28, 28)
    sq = (c01 - o01) ** 2  # (B, 28, 28)
    mse_all, mse_rep = _region_mean(sq, None), _region_mean(sq, repaired)  # (B,) each
    ssim_means, ssim_maps = _ssim_maps(c01, o01)  # (B,), (B, 28, 28)
    return {"psnr": _psnr_from_mse(mse_all), "ssim": ssim_means, "mse": mse_all,
            "psnr_repaired": _psnr_from_mse(mse_rep), "ssim_repaired": _region_mean(ssim_maps, repaired),
            "mse_repaired": mse_rep}


def evaluate(clean, output, known_mask) -> dict[str, float]:
    """Mean over images of PSNR, SSIM and MSE, on the whole image and on the repaired pixels (~known_mask).

    Repaired figures average only the images with at least one repaired pixel; NaN if none has any.
    Keys and their meaning: METRIC_INFO. Raises ValueError for an empty batch, which has no mean.
    """
    figures = per_image(clean, output, known_mask)
    if len(figures["psnr"]) == 0:
        raise InputError("There are no digits to compare: give at least one clean digit and its output.")
    return {key: _nanmean(values) if key.endswith("_repaired") else float(np.mean(values))
            for key, values in figures.items()}
