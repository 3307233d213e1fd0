"""New digits from a bottleneck autoencoder: Gaussians over its codes, sampled and decoded (the lecture's
image generation, Fig. 1, and caption-to-image, Fig. 12, with a digit's class as the caption).

An autoencoder's decoder turns any code h into an image, but an autoencoder, unlike a VAE, is not trained
to make its codes follow a known distribution: to draw new codes we fit one. `fit_gaussian` fits a mean and
a full covariance to the codes h = encode(x) of the training digits; `summarize` fits one for all digits
and one per class. `sample` draws codes as mean + t * L z (z standard normal, L L^T = covariance, t the
temperature: t = 0 gives the mean code, t = 1 the fitted spread), and `generate` decodes them. "Caption to
image" is sampling from the chosen class's Gaussian.

To show that a sample is new rather than a copy, `nearest_training` finds each sample's nearest training
digit in pixel space (Euclidean distance on the 784 pixels), and `class_match` says how often that digit
has the class the sample was asked for.

Only models with a small code generate (`MAX_CODE` numbers at most): a Gaussian over a bottleneck's codes
is small, while a code as large as denoising_d500's (500 numbers for 784 pixels, the lecture's generous
denoising code) is hardly a bottleneck, and its covariance alone would hold 250,000 numbers. The summary
is stored beside the checkpoint as `<name>.gauss.json` (numbers only, no images):

    AE_DATA_DIR=../shared/mnist python -m ae_core.generate --name standard_d30
"""

import argparse
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ae_core import checkpoint
from ae_core.arrays import as_batch
from ae_core.errors import InputError
from ae_core.inference import decode
from ae_core.latent import encode_all
from ae_core.models import N_PIXELS, has_code

GAUSS_FORMAT = 1
SUFFIX = ".gauss.json"
MAX_CODE = 64  # the largest code that generates: its 11 covariances stay a few hundred KB at most
DIGITS = 6  # significant digits kept in the JSON
JITTER = 1e-6  # added to the covariance's diagonal, times its mean variance, so the Cholesky factor exists
PSD_TOLERANCE = 1e-4  # eigenvalues down to -1e-4 x the largest are rounding errors; below that, no covariance
SAMPLE_BLOCK = 1000  # samples per block in nearest_training
TRAIN_CHUNK = 8192  # training digits per block: a block's distance matrix is at most 1000 x 8192 floats


def check_can_generate(model: nn.Module) -> None:
    """ValueError unless `model` has a code of at most MAX_CODE numbers."""
    if not has_code(model):
        raise InputError("This model has no code (no encode/decode), so there is nothing to sample from.")
    if model.cfg.code_size > MAX_CODE:
        raise InputError("This model's code has {size} numbers, more than the {most} a "
                         "generator here may have: a code that large is hardly a bottleneck.",
                         size=model.cfg.code_size, most=MAX_CODE)


def fit_gaussian(codes) -> dict:
    """{"n", "mean" (d,), "cov" (d, d)} of codes (N, d), N >= 2: their mean and full covariance, float64."""
    h = np.asarray(codes, dtype=np.float64)  # (N, d)
    if h.ndim != 2 or len(h) < 2 or h.shape[1] < 1:
        raise InputError("A Gaussian needs at least 2 codes of at least 1 number, got shape {shape}.", shape=h.shape)
    if not np.isfinite(h).all():
        raise InputError("The codes hold NaN or infinite numbers, so no Gaussian can be fitted to them.")
    return {"n": len(h), "mean": h.mean(axis=0), "cov": np.cov(h, rowvar=False).reshape(h.shape[1], -1)}


def fit_gaussians(codes, labels) -> dict:
    """{"all": fit_gaussian(codes), "classes": {"0": ..., "9": ...}}: the Gaussian of all codes (N, d) and of
    each class in `labels` (N,) that has at least 2 codes."""
    h, y = np.asarray(codes, dtype=np.float64), np.asarray(labels).astype(np.int64).ravel()
    if len(h) != len(y):
        raise InputError("{codes} codes but {labels} labels.", codes=len(h), labels=len(y))
    classes = {str(c): fit_gaussian(h[y == c]) for c in range(10) if np.sum(y == c) >= 2}
    return {"all": fit_gaussian(h), "classes": classes}


def _rounded(gaussian: dict) -> dict:
    def keep(values):
        return np.vectorize(lambda v: float(f"{v:.{DIGITS}g}"), otypes=[float])(values).tolist()
    return {"n": int(gaussian["n"]), "mean": keep(gaussian["mean"]), "cov": keep(gaussian["cov"])}


def summarize(model: nn.Module, train_images, train_labels, source: str = "", sha256: str = "") -> dict:
    """The Gaussians of `model`'s codes of `train_images` (N, 28, 28): overall and per class in
    `train_labels` (N,). Returns a JSON-ready dict with the data source and the model's sha256."""
    check_can_generate(model)
    codes = encode_all(model, train_images)  # (N, d)
    fitted = fit_gaussians(codes, train_labels)
    return {
        "format": GAUSS_FORMAT,
        "dim": int(codes.shape[1]),
        "n_codes": int(len(codes)),
        "all": _rounded(fitted["all"]),
        "classes": {c: _rounded(g) for c, g in fitted["classes"].items()},
        "source": source,
        "sha256": sha256,
    }


def gaussian_for(summary: dict, digit_class: int | None) -> dict:
    """The Gaussian to sample from: the overall one for None ("any digit"), else that class's."""
    if digit_class is None:
        return summary["all"]
    if digit_class not in range(10):
        raise InputError("A digit class is 0 to 9 (or None for any digit), not {digit_class!r}.",
                         digit_class=digit_class)
    if str(digit_class) not in summary["classes"]:
        raise InputError("There is no Gaussian for class {digit_class}: the training digits held fewer than "
                         "2 of them.", digit_class=digit_class)
    return summary["classes"][str(digit_class)]


def factor(cov) -> np.ndarray:
    """The lower-triangular L with L L^T = cov, (d, d).

    The stored covariances are rounded to 6 digits, which can tip a nearly singular one (a code unit that
    hardly varies) a hair below zero: negative eigenvalues that small are set to 0, and a tiny jitter on
    the diagonal makes the Cholesky factor exist. A matrix that is clearly not a covariance is refused."""
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.isfinite(c).all():
        raise InputError("A covariance is a square matrix of finite numbers, got shape {shape}.", shape=c.shape)
    if not np.allclose(c, c.T, rtol=1e-5, atol=1e-12):
        raise InputError("This matrix is not a covariance (it is not symmetric).")
    values, vectors = np.linalg.eigh(c)  # (d,), (d, d)
    if values.min() < -PSD_TOLERANCE * max(values.max(), 0.0):
        raise InputError("This matrix is not a covariance (it is not positive semi-definite).")
    c = (vectors * np.clip(values, 0, None)) @ vectors.T  # the rounding errors removed
    scale = max(float(np.mean(np.diag(c))), 1e-12)
    return np.linalg.cholesky(c + JITTER * scale * np.eye(len(c)))


def sample(gaussian: dict, count: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
    """`count` codes mean + t * L z from `gaussian` ({"mean", "cov"}), (count, d) float32. The same seed
    gives the same z, so changing only t moves the same samples towards or away from the mean."""
    if not isinstance(count, int | np.integer) or count < 1:
        raise InputError("The number of samples must be a whole number of at least 1, not {count!r}.", count=count)
    if not np.isfinite(temperature) or temperature < 0:
        raise InputError("The temperature must be a number of at least 0, not {temperature!r}.",
                         temperature=temperature)
    mean = np.asarray(gaussian["mean"], dtype=np.float64)  # (d,)
    chol = factor(gaussian["cov"])  # (d, d)
    if chol.shape[0] != mean.shape[0]:
        raise InputError("The mean has {size} numbers but the covariance is {shape}.", size=mean.shape[0],
                         shape=chol.shape)
    z = np.random.default_rng(seed).standard_normal((count, len(mean)))  # (count, d)
    return (mean + temperature * z @ chol.T).astype(np.float32)  # (count, d)


def generate(model: nn.Module, summary: dict, digit_class: int | None, count: int, temperature: float = 1.0,
             seed: int = 0) -> np.ndarray:
    """`count` new digits (count, 28, 28) in [-1, 1]: codes sampled from the class's Gaussian (None: any
    digit), decoded."""
    check_can_generate(model)
    gaussian = gaussian_for(summary, digit_class)
    if len(gaussian["mean"]) != model.cfg.code_size:
        raise InputError("These Gaussians are over codes of {size} numbers, but the model's code has {code_size}.",
                         size=len(gaussian["mean"]), code_size=model.cfg.code_size)
    return decode(model, sample(gaussian, count, temperature, seed))  # (count, 28, 28)


@torch.inference_mode()
def nearest_training(samples, train_images) -> tuple[np.ndarray, np.ndarray]:
    """(index (N,), distance (N,)) of each sample's nearest digit among `train_images` (M, 28, 28):
    Euclidean distance on the 784 pixels in [-1, 1].

    Squared distances |a|^2 - 2 a.b + |b|^2 come from one matmul per block of samples and training digits,
    so 1,000 samples against 60,000 digits take about 4 s on one busy core here; the distance returned is
    then recomputed exactly for the neighbour found."""
    a = as_batch(samples)[0].reshape(-1, N_PIXELS)  # (N, 784)
    train = torch.as_tensor(np.asarray(train_images), dtype=torch.float32)
    if train.dim() != 3 or tuple(train.shape[1:]) != (28, 28) or len(train) == 0:
        raise InputError("The training digits must be a non-empty batch (M, 28, 28), got shape {shape}.",
                         shape=tuple(train.shape))
    b = train.reshape(-1, N_PIXELS)  # (M, 784)
    b2 = (b * b).sum(dim=1)  # (M,)
    index = torch.zeros(len(a), dtype=torch.int64)  # (N,)
    for s in range(0, len(a), SAMPLE_BLOCK):
        block = a[s:s + SAMPLE_BLOCK]  # (S, 784)
        best = torch.full((len(block),), float("inf"))  # (S,) best squared distance so far
        for t in range(0, len(b), TRAIN_CHUNK):
            d2 = b2[t:t + TRAIN_CHUNK] - 2 * block @ b[t:t + TRAIN_CHUNK].T  # (S, C), without |a|^2: same argmin
            value, where = d2.min(dim=1)  # (S,)
            better = value < best
            best = torch.where(better, value, best)
            index[s:s + SAMPLE_BLOCK] = torch.where(better, where + t, index[s:s + SAMPLE_BLOCK])
    distance = (a - b[index]).norm(dim=1)  # (N,)
    return index.numpy(), distance.numpy()


def class_match(nearest_labels, requested: int) -> float:
    """Share (0..1) of `nearest_labels` (N,) equal to the `requested` class."""
    labels = np.asarray(nearest_labels).ravel()
    if labels.size == 0:
        raise InputError("There are no samples to compare with the requested class.")
    return float(np.mean(labels == requested))


def gauss_path(name: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name>.gauss.json` (default folder: the checkpoint folder)."""
    return checkpoint.companion_path(name, SUFFIX, folder)


def save_gaussians(summary: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write the summary to `<folder>/<name>.gauss.json` atomically."""
    return checkpoint.save_companion(summary, name, SUFFIX, folder, compact=True)


def load_gaussians(name: str, folder: str | Path | None = None) -> dict:
    """The Gaussians saved for `name`; ValueError with what to do when they are missing or unreadable."""
    return checkpoint.load_companion(name, SUFFIX, "a set of code Gaussians",
                                     f"python -m ae_core.generate --name {name}",
                                     ("dim", "all", "classes", "source", "sha256"), folder)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Fit Gaussians to a checkpoint's codes of the training digits.")
    parser.add_argument("--name", required=True, help="checkpoint name, e.g. standard_d30")
    parser.add_argument("--out", default=None, help="checkpoint folder to read and write (default: checkpoints/)")
    args = parser.parse_args(argv)

    from ae_core.data import load_mnist

    model, card = checkpoint.load(args.name, args.out)
    digits = load_mnist(train=True)
    summary = summarize(model, digits.images, digits.labels, digits.source, card["sha256"])
    summary["name"] = args.name
    summary["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = save_gaussians(summary, args.name, args.out)
    print(f"{path}: {1 + len(summary['classes'])} Gaussians over {summary['dim']}-number codes of "
          f"{summary['n_codes']:,} training digits ({digits.source}), {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
