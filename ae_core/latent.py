"""A latent map: a 2-D PCA of an autoencoder's codes of the test set, so codes can be drawn, placed and decoded.

The codes h = encode(x) of the test digits live in d dimensions (30 or 500). A PCA of those codes gives
their mean m (d,) and the two directions of largest variance, the rows of C (2, d). Then
- `project(codes)`  = (h - m) @ C.T : any code, also of a new digit, becomes a point (x, y) on the map;
- `unproject(xy)`   = m + xy @ C    : any point of the map is a code on that plane, which the decoder
  turns into a digit.
(t-SNE or UMAP could not do either: they place only the points they were fitted on.)

`summarize` computes the PCA and the 2-D points of a fixed random subset of the test digits; `save_map`
and `load_map` keep that summary in `<folder>/<name>.latent.json` beside the checkpoint, so the app
never encodes the test set on page load. Computed numbers only, no images.

Run: `python -m ae_core.latent --name standard_d30 [--out checkpoints]` (MNIST from AE_DATA_DIR).
"""

import argparse
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ae_core import checkpoint
from ae_core.baselines import principal_components
from ae_core.errors import InputError
from ae_core.models import has_code

MAP_FORMAT = 1
SUFFIX = ".latent.json"
DECIMALS = 4  # points are stored to 4 decimals: far finer than a screen pixel, and a small file


def fit_pca(codes) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """(mean (d,), components (2, d), explained-variance share of each component) of codes (N, d).

    The components are orthonormal, with their sign fixed, so the same codes always give the same map,
    not a mirrored one (ae_core.baselines.principal_components)."""
    h = np.asarray(codes, dtype=np.float64)  # (N, d)
    if h.ndim != 2 or len(h) < 2 or h.shape[1] < 2:
        raise InputError("A 2-D PCA needs at least 2 codes of at least 2 numbers, got shape {shape}.", shape=h.shape)
    mean, components, shares = principal_components(torch.from_numpy(h.copy()), 2)
    return mean.numpy().astype(np.float32), components.numpy().astype(np.float32), shares.tolist()


def project(codes, mean, components) -> np.ndarray:
    """Codes (N, d) or (d,) -> their points on the map, (N, 2) or (2,)."""
    h = np.asarray(codes, dtype=np.float32)
    return (h - np.asarray(mean, dtype=np.float32)) @ np.asarray(components, dtype=np.float32).T


def unproject(points, mean, components) -> np.ndarray:
    """Points (N, 2) or (2,) -> the codes on the PCA plane, (N, d) or (d,): mean + points @ components."""
    xy = np.asarray(points, dtype=np.float32)
    return np.asarray(mean, dtype=np.float32) + xy @ np.asarray(components, dtype=np.float32)


def line(code_a, code_b, mean, components, steps: int = 10) -> np.ndarray:
    """The latent interpolation (1 - t) h_a + t h_b for `steps` t from 0 to 1, on the map: (steps, 2)."""
    if steps < 2:
        raise InputError("A path needs at least 2 steps, not {steps}.", steps=steps)
    t = np.linspace(0, 1, steps, dtype=np.float32)[:, None]  # (steps, 1)
    codes = (1 - t) * np.asarray(code_a, dtype=np.float32) + t * np.asarray(code_b, dtype=np.float32)  # (steps, d)
    return project(codes, mean, components)


def grid(points, n: int = 40, margin: float = 0.05) -> np.ndarray:
    """An n x n grid of points (n*n, 2) covering the bounding box of `points` (N, 2), widened by
    `margin` of its size on each side: invisible on the plot, they make every spot clickable."""
    xy = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    low, high = xy.min(axis=0), xy.max(axis=0)  # (2,) each
    pad = np.maximum(high - low, 1e-3) * margin
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], n)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], n)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)  # (n*n, 2)


def clicked_point(event) -> tuple[float, float] | None:
    """(x, y) of the first selected point in a plotly selection event ({"selection": {"points": [...]}}),
    or None when nothing is selected or the event is not a selection."""
    try:
        points = event["selection"]["points"]
        first = points[0]
        return float(first["x"]), float(first["y"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


@torch.inference_mode()
def encode_all(model: nn.Module, images, batch_size: int = 1000) -> np.ndarray:
    """The codes of `images` (N, 28, 28), in batches: (N, d) float32."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)  # (N, 28, 28)
    return torch.cat([model.encode(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]).numpy()  # (N, d)


def summarize(model: nn.Module, test_images, test_labels, max_points: int = 3000, seed: int = 0,
              source: str = "", sha256: str = "") -> dict:
    """The latent map of `model`: PCA of the codes of all `test_images` (N, 28, 28) and the 2-D points of a
    fixed random subset of at most `max_points` of them (the same subset for the same seed and N).

    Returns a JSON-ready dict: mean and components (lists), explained-variance shares, points (rounded
    to 4 decimals), their labels and test-set indices, the data source and the model's sha256."""
    if not has_code(model):
        raise InputError("This model has no code (no encode/decode), so it has no latent map.")
    labels = np.asarray(test_labels).astype(np.int64)  # (N,)
    codes = encode_all(model, test_images)  # (N, d)
    if len(codes) != len(labels):
        raise InputError("{images} images but {labels} labels.", images=len(codes), labels=len(labels))
    mean, components, shares = fit_pca(codes)
    count = min(max_points, len(codes))
    indices = np.sort(np.random.default_rng(seed).choice(len(codes), size=count, replace=False))  # (count,)
    points = np.round(project(codes[indices], mean, components).astype(np.float64), DECIMALS)  # (count, 2)
    return {
        "format": MAP_FORMAT,
        "dim": int(codes.shape[1]),
        "n_codes": int(len(codes)),
        "mean": mean.tolist(),
        "components": components.tolist(),
        "explained_variance": shares,
        "points": points.tolist(),
        "labels": labels[indices].tolist(),
        "indices": indices.tolist(),
        "seed": seed,
        "max_points": max_points,
        "source": source,
        "sha256": sha256,
    }


def map_path(name: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name>.latent.json` (default folder: the checkpoint folder)."""
    return checkpoint.companion_path(name, SUFFIX, folder)


def save_map(summary: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write the summary to `<folder>/<name>.latent.json` atomically (compact: thousands of points)."""
    return checkpoint.save_companion(summary, name, SUFFIX, folder, compact=True)


def load_map(name: str, folder: str | Path | None = None) -> dict:
    """The summary saved for `name`; ValueError with what to do when it is missing or unreadable."""
    keys = ("mean", "components", "points", "labels", "indices", "explained_variance", "sha256")
    return checkpoint.load_companion(name, SUFFIX, "a latent map", f"python -m ae_core.latent --name {name}",
                                     keys, folder)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Compute a checkpoint's latent map (2-D PCA of its test codes).")
    parser.add_argument("--name", required=True, help="checkpoint name, e.g. standard_d30")
    parser.add_argument("--out", default=None, help="checkpoint folder to read and write (default: checkpoints/)")
    parser.add_argument("--max-points", type=int, default=3000, help="test digits drawn on the map (default: 3000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random subset of digits (default: 0)")
    args = parser.parse_args(argv)

    from ae_core.data import load_mnist

    model, card = checkpoint.load(args.name, args.out)
    digits = load_mnist(train=False)
    summary = summarize(model, digits.images, digits.labels, args.max_points, args.seed, digits.source, card["sha256"])
    summary["name"] = args.name
    summary["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = save_map(summary, args.name, args.out)
    shares = summary["explained_variance"]
    print(f"{path}: {len(summary['points'])} points from {digits.source}, {path.stat().st_size / 1024:.0f} KB; "
          f"explained variance {shares[0]:.3f} + {shares[1]:.3f} = {sum(shares):.3f}")


if __name__ == "__main__":
    main()
