"""Baselines the autoencoders are measured against: classical inpainting (Telea, Navier-Stokes,
biharmonic) and PCA.

The lecture's inpainting: `cv2.inpaint(digit_uint8, mask, 3, INPAINT_TELEA or INPAINT_NS)`, one digit at
a time, the mask nonzero where a pixel is missing. Biharmonic inpainting (scikit-image's
`restoration.inpaint_biharmonic`, computed here the same way, faster: see _biharmonic) fills the holes
with the smoothest surface through the known pixels (it solves the biharmonic equation, Δ²u = 0, on
them); it is by far the strongest of the three on scattered missing pixels, and several times slower.
All three share one contract: only the known pixels of the image are read (the rest are set to 0
first), so a caller may pass the clean digit or any damaged version of it: what lies under the mask
never leaks into the repair. Known pixels come back exactly as given (clipped to [-1, 1]); repaired
ones are clipped to [-1, 1] too, and OpenCV's carry its uint8 quantisation. A digit with no known
pixel has nothing to work from and stays all background.

PCA reconstruction is the linear autoencoder's closed form: project a digit onto the top-k principal
components of the training digits and back.

Images are in [-1, 1], one digit (28, 28) or a batch (B, 28, 28), torch or numpy; the outputs are float32
of the same kind and shape.
"""

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from scipy import sparse
from scipy.ndimage import laplace
from scipy.sparse.linalg import spsolve

from ae_core.arrays import as_batch, restore
from ae_core.errors import InputError

N_PIXELS = 28 * 28


def _inpaint_each(image, known_mask, fill):
    """Apply `fill(known_only, holes) -> filled` (28, 28) to each digit that has a known pixel, where
    `known_only` is the digit in [-1, 1] with its unknown pixels set to 0 and `holes` is True where a
    pixel is unknown; known pixels are pasted back as given (clipped), the rest clipped to [-1, 1]."""
    if tuple(np.shape(image)) != tuple(np.shape(known_mask)):
        raise InputError("The image and known_mask must have the same shape; got {image_shape} and {mask_shape}.",
                         image_shape=tuple(np.shape(image)), mask_shape=tuple(np.shape(known_mask)))
    x, single, is_numpy = as_batch(image.detach().cpu() if isinstance(image, torch.Tensor) else image)
    known = as_batch(known_mask, dtype=torch.bool)[0].cpu().numpy()  # (B, 28, 28)
    clipped = x.clamp(-1, 1).numpy()  # (B, 28, 28)
    # A digit with no known pixel gives inpainting nothing to work from (OpenCV would hand back the
    # input unchanged), so it stays all background.
    out = np.full(clipped.shape, -1.0, dtype=np.float32)  # (B, 28, 28)
    for i in np.flatnonzero(known.any(axis=(1, 2))):
        known_only = np.where(known[i], clipped[i], 0.0)  # (28, 28), unknown pixels never read
        filled = np.clip(fill(known_only, ~known[i]), -1, 1)  # (28, 28)
        out[i] = np.where(known[i], clipped[i], filled)
    return restore(torch.from_numpy(out), single, is_numpy)


def _opencv(radius: float, method: int):
    """A `fill` for _inpaint_each: cv2.inpaint with `method` on the uint8 digit."""
    if not radius > 0:
        raise InputError("The inpainting radius must be a positive number of pixels, not {radius}.", radius=radius)

    def fill(known_only: np.ndarray, holes: np.ndarray) -> np.ndarray:
        src = np.round((known_only + 1) / 2 * 255).astype(np.uint8)
        mask = holes.astype(np.uint8) * 255  # OpenCV repairs where the mask is nonzero
        return cv2.inpaint(src, mask, radius, method).astype(np.float32) / 255 * 2 - 1
    return fill


def inpaint_telea(image, known_mask, radius: float = 3):
    """Repair the unknown pixels (~known_mask) with Telea's fast marching method (cv2.INPAINT_TELEA)."""
    return _inpaint_each(image, known_mask, _opencv(radius, cv2.INPAINT_TELEA))


def inpaint_navier_stokes(image, known_mask, radius: float = 3):
    """Repair the unknown pixels (~known_mask) with the Navier-Stokes method (cv2.INPAINT_NS)."""
    return _inpaint_each(image, known_mask, _opencv(radius, cv2.INPAINT_NS))


@functools.cache
def _biharmonic_operator(shape: tuple[int, int]) -> sparse.csr_array:
    """(H*W, H*W): row i is the biharmonic stencil of pixel i (row-major), built exactly as scikit-image's
    inpaint_biharmonic builds it: laplace(laplace(delta)) on the pixel's 5x5 neighbourhood, clipped to
    the image (scipy.ndimage.laplace, reflecting at the clipped edges). Built once per image size."""
    h, w = shape
    rows, cols, values = [], [], []
    for r, c in np.ndindex(h, w):
        top, left = max(r - 2, 0), max(c - 2, 0)
        delta = np.zeros((min(r + 3, h) - top, min(c + 3, w) - left))
        delta[r - top, c - left] = 1.0
        stencil = laplace(laplace(delta))
        rr, cc = np.nonzero(stencil)
        rows.append(np.full(len(rr), r * w + c))
        cols.append((rr + top) * w + cc + left)
        values.append(stencil[rr, cc])
    return sparse.csr_array((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(h * w, h * w))


def _biharmonic(known_only: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """A `fill` for _inpaint_each: biharmonic inpainting on float pixels (no quantisation).

    The same linear system as `skimage.restoration.inpaint_biharmonic` (one equation per unknown pixel:
    its stencil applied to the image is 0), solved the same way (SuperLU, MMD_ATA ordering) and clipped
    the same way (to the known pixels' range). scikit-image rebuilds every border pixel's stencil in a
    Python loop on each call; here they are built once (_biharmonic_operator), which makes a digit
    several times faster (bench/repair_speed.py times both); tests/test_baselines.py checks they agree.
    The equation is linear and keeps constants, so solving it on [-1, 1] pixels gives the same repair
    as on [0, 1] ones."""
    values = known_only.astype(np.float64).ravel()  # (H*W,)
    unknown, known = np.flatnonzero(holes), np.flatnonzero(~holes)
    if unknown.size == 0:
        return known_only
    equations = _biharmonic_operator(holes.shape)[unknown]  # (n_unknown, H*W)
    values[unknown] = spsolve(sparse.csc_array(equations[:, unknown]), -(equations[:, known] @ values[known]),
                              permc_spec="MMD_ATA", use_umfpack=False)
    return np.clip(values, values[known].min(), values[known].max()).reshape(holes.shape).astype(np.float32)


def inpaint_biharmonic(image, known_mask):
    """Repair the unknown pixels (~known_mask) with biharmonic inpainting (scikit-image's, see _biharmonic):
    the smoothest surface through the known pixels. Float in, float out: no uint8 step as with OpenCV."""
    return _inpaint_each(image, known_mask, _biharmonic)


@dataclass
class PCA:
    mean: torch.Tensor  # (784,) mean training digit, flattened, float32
    components: torch.Tensor  # (k, 784) orthonormal rows, by decreasing explained variance, float32


def principal_components(flat: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mean (D,), top-k components (k, D), the share of the variance each explains (k,)) of rows (N, D).

    Exact and deterministic: eigendecomposition of the DxD scatter matrix in float64, each component's
    sign fixed so that its largest-magnitude entry is positive (the same data never gives a mirror image).
    """
    flat = flat.to(torch.float64)  # (N, D)
    mean = flat.mean(dim=0)  # (D,)
    centred = flat - mean  # (N, D)
    eigvals, eigvecs = torch.linalg.eigh(centred.T @ centred)  # columns by increasing eigenvalue, (D, D)
    components = eigvecs[:, -k:].flip(1).T  # (k, D)
    largest = components.gather(1, components.abs().argmax(dim=1, keepdim=True))  # (k, 1)
    total = eigvals.clamp(min=0).sum()
    shares = eigvals[-k:].flip(0).clamp(min=0) / total if total > 0 else torch.zeros(k, dtype=torch.float64)
    return mean, components * torch.sign(largest), shares


def fit_pca(train_images, n_components: int) -> PCA:
    """Top-k principal components of training digits (N, 28, 28) in [-1, 1] (see principal_components)."""
    x, _, _ = as_batch(train_images, dtype=torch.float64)  # (N, 28, 28)
    n = len(x)
    if not 1 <= n_components <= N_PIXELS:
        raise InputError("n_components must be between 1 and {most}, not {n_components}.", most=N_PIXELS,
                         n_components=n_components)
    if n_components > n:
        raise InputError("n_components ({n_components}) cannot exceed the number of training digits ({n}).",
                         n_components=n_components, n=n)
    mean, components, _ = principal_components(x.reshape(n, N_PIXELS), n_components)
    return PCA(mean=mean.float(), components=components.float().contiguous())


def pca_reconstruct(pca: PCA, images):
    """Project digits onto the PCA components and back, clipped to [-1, 1]."""
    x, single, is_numpy = as_batch(images.detach().cpu() if isinstance(images, torch.Tensor) else images)
    flat = x.reshape(len(x), N_PIXELS)  # (B, 784)
    codes = (flat - pca.mean) @ pca.components.T  # (B, k)
    rec = (codes @ pca.components + pca.mean).clamp(-1, 1).reshape(x.shape)  # (B, 28, 28)
    return restore(rec, single, is_numpy)
