"""Anomaly scores: how badly a bottleneck autoencoder reconstructs a digit, compared with the MNIST test set.

A bottleneck autoencoder only reconstructs well what resembles its training data, so its reconstruction
error is an anomaly score (the lecture names anomaly detection as one of an autoencoder's main uses). The
error of one digit means little on its own; `summarize` turns the errors of the whole test set into a
small summary (a histogram, quantiles, the indices of the most and least typical digits) that a page can
compare a new digit with. It stores numbers and indices only, no images, so a page can use it even when
only the offline data fallback is available; the model's sha256 is kept so a stale summary is noticed.

Error = MSE on [0, 1] pixels between a digit and the model's reconstruction (GUIDE section 5).

Compute and write `<checkpoints>/<name>.anomaly.json` for a checkpoint:

    AE_DATA_DIR=../shared/mnist python -m ae_core.anomaly --name standard_d30
"""

import argparse
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from torch import nn

from ae_core import checkpoint
from ae_core.arrays import as_batch
from ae_core.data import Digits, load_mnist
from ae_core.errors import InputError
from ae_core.inference import reconstruct
from ae_core.metrics import MSE_FLOOR, mse
from ae_core.models import has_code

SUMMARY_FORMAT = 1
SUFFIX = ".anomaly.json"
CHUNK = 1000  # digits per forward pass
HIST_BINS = 60  # bins of the histogram, evenly spaced in log10(error)
N_QUANTILES = 101  # quantiles at 0%, 1%, ..., 100%
DIGITS = 6  # significant digits kept in the JSON: plenty for a histogram, and a few KB per file


def reconstruction_errors(model: nn.Module, images, chunk: int = CHUNK) -> np.ndarray:
    """Per-image MSE on [0, 1] pixels between each digit and its reconstruction, float64 (N,).

    `images` is one digit (28, 28) or a batch (N, 28, 28), torch or numpy, in [-1, 1]."""
    x, _, _ = as_batch(images)  # (N, 28, 28)
    parts = [mse(x[i:i + chunk], reconstruct(model, x[i:i + chunk])) for i in range(0, len(x), chunk)]
    return np.concatenate(parts) if parts else np.zeros(0)  # (N,)


def percentile(errors, value: float) -> float:
    """Share of `errors` strictly below `value`, in percent (0..100): how unusual `value` is among them."""
    errors = np.asarray(errors, dtype=np.float64)
    if errors.size == 0:
        raise InputError("There are no errors to compare with.")
    return float(100.0 * np.mean(errors < value))


def summary_percentile(summary: dict, value: float) -> float:
    """`percentile` from a summary's quantiles (linear between them): 0 below the lowest test error,
    100 above the highest."""
    quantiles = np.asarray(summary["quantiles"], dtype=np.float64)  # (Q,), sorted
    levels = np.linspace(0.0, 100.0, len(quantiles))  # (Q,)
    if value < quantiles[0]:
        return 0.0
    if value > quantiles[-1]:
        return 100.0
    # np.interp needs strictly increasing x for ties; among equal quantiles take the highest level
    unique, last = np.unique(quantiles[::-1], return_index=True)
    return float(np.interp(value, unique, levels[::-1][last]))


def _round(values) -> list[float]:
    return [float(f"{v:.{DIGITS}g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def summarize(model: nn.Module, test_images, n_typical: int = 8, sha256: str | None = None) -> dict:
    """Errors of the test set, summarised: histogram on log10(error), quantiles, the most typical
    (lowest error) and least typical (highest error) digits by index. `test_images` is a Digits (its
    source is recorded) or a (N, 28, 28) batch; `sha256` is the model's, from its card."""
    images = test_images.images if isinstance(test_images, Digits) else test_images
    source = test_images.source if isinstance(test_images, Digits) else "unknown"
    errors = reconstruction_errors(model, images)  # (N,)
    if errors.size == 0:
        raise InputError("A summary needs at least one test digit.")
    logs = np.log10(np.maximum(errors, MSE_FLOOR))  # (N,)
    low, high = logs.min(), logs.max()
    if high - low < 1e-6:  # all errors (nearly) equal: one visible bin
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(logs, bins=HIST_BINS, range=(low, high))  # (BINS,), (BINS + 1,)
    order = np.argsort(errors, kind="stable")  # (N,) lowest error first
    n = min(n_typical, len(errors))
    typical, unusual = order[:n], order[::-1][:n]
    return {
        "format": SUMMARY_FORMAT,
        "metric": "per-image MSE on [0, 1] pixels between the digit and the model's reconstruction",
        "sha256": sha256,
        "data": {"source": source, "n": int(len(errors))},
        "mean": _round([errors.mean()])[0],
        "median": _round([np.median(errors)])[0],
        "histogram": {"log10_edges": _round(edges), "counts": [int(c) for c in counts]},
        "quantiles": _round(np.quantile(errors, np.linspace(0, 1, N_QUANTILES))),
        "most_typical": {"indices": [int(i) for i in typical], "errors": _round(errors[typical])},
        "least_typical": {"indices": [int(i) for i in unusual], "errors": _round(errors[unusual])},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summary_path(name: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name>.anomaly.json`, folder defaulting to the checkpoint folder."""
    return checkpoint.companion_path(name, SUFFIX, folder)


def save_summary(summary: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write the summary of checkpoint `name` atomically; returns its path."""
    return checkpoint.save_companion({"name": name, **summary}, name, SUFFIX, folder)


def load_summary(name: str, folder: str | Path | None = None) -> dict:
    """The summary of checkpoint `name`; ValueError (with what to do) if it is missing or unreadable."""
    keys = ("format", "histogram", "quantiles", "most_typical", "least_typical", "data")
    summary = checkpoint.load_companion(name, SUFFIX, "an AE Lab anomaly summary",
                                        f"python -m ae_core.anomaly --name {name}", keys, folder)
    if summary["format"] != SUMMARY_FORMAT:
        raise InputError("The anomaly summary of {name} has format {found}, not {expected}; "
                         "recompute it with `python -m ae_core.anomaly --name {name}`.",
                         name=name, found=summary["format"], expected=SUMMARY_FORMAT)
    return summary


def is_stale(summary: dict, card: dict) -> bool:
    """True when the summary was computed for other weights than the ones the card describes."""
    return summary.get("sha256") != card.get("sha256")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Compute a checkpoint's anomaly summary on the MNIST test set.")
    parser.add_argument("--name", default="standard_d30", help="checkpoint name (default: standard_d30)")
    parser.add_argument("--out", default=None,
                        help=f"folder to write <name>{SUFFIX} to (default: the checkpoint folder, "
                             f"{checkpoint.CHECKPOINT_ENV} or checkpoints/)")
    parser.add_argument("--typical", type=int, default=8,
                        help="how many most and least typical digits to record (default: 8)")
    args = parser.parse_args(argv)
    model, card = checkpoint.load(args.name)
    if not has_code(model):
        parser.error(f"{args.name} has no bottleneck (no code), so its error is no anomaly score.")
    digits = load_mnist(train=False)
    print(digits.note)
    summary = summarize(model, digits, args.typical, sha256=card["sha256"])
    path = save_summary(summary, args.name, args.out)
    print(f"median error {summary['median']:.5f} over {summary['data']['n']:,} test digits; wrote {path}")


if __name__ == "__main__":
    main()
