"""Transformations (the lecture's Figs. 5-8): sweep one digit through zoom, shift, rotation or brightness and
measure how far the image moves in pixel space and how far its code moves in an autoencoder's code space.

The lecture's point: the images of one object under a zoom, shift, brightness change or rotation form a
manifold with a few degrees of freedom (one per sweep here), yet a few pixels of shift already move the
image far in pixel space. A good code would move smoothly along such a sweep.

- `sweep(image, kind, start, stop, steps)`: the digit under `steps` evenly spaced values of one
  transformation, (steps, 28, 28), made with OpenCV's affine warp (the background -1 fills what comes in
  from outside the frame).
- `distances_from_start(points)`: the Euclidean distance of every frame (or code) from the first one.
- `pair_median(points)`: the median distance between a fixed, seeded set of random pairs of rows. Over the
  test digits, in pixel space and in code space, this is the yardstick: a distance divided by it is 1.0
  when the sweep has moved as far as two random test digits are apart, in either space, so the two
  curves compare.
- `smoothness(points)`: the largest step between consecutive frames (or codes) over the mean step;
  1.0 is a path of evenly spaced points, 3.0 a path that does a third of its moving in one step or so.
- `measure(model, frames, scales)`: everything the page shows for one sweep.

The two medians of a checkpoint are computed over the full test set by
`AE_DATA_DIR=../shared/mnist python -m ae_core.transform --name standard_d30` and kept beside it in
`checkpoints/<name>.scales.json` (numbers only, no images).
"""

import argparse
import math
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
from torch import nn

from ae_core import checkpoint
from ae_core.errors import InputError
from ae_core.inference import decode
from ae_core.latent import encode_all
from ae_core.models import has_code

KINDS = ("zoom", "shift", "rotation", "brightness")
IDENTITY = {"zoom": 1.0, "shift": 0.0, "rotation": 0.0, "brightness": 1.0}  # the value that changes nothing
DEFAULT_SWEEPS = {"zoom": (0.6, 1.4), "shift": (-6.0, 6.0), "rotation": (-45.0, 45.0), "brightness": (0.2, 1.0)}
DEFAULT_STEPS = 13  # a -6..6 px shift in steps of 1 px
SMOOTH = 1.5  # a path whose largest step is at most 1.5 times its mean step is called smooth
CENTRE = (13.5, 13.5)  # (x, y) of the middle of a 28x28 image: pixel centres run from 0 to 27
BACKGROUND = -1.0  # the background of a digit in [-1, 1]
MAX_STEPS = 200
SCALES_FORMAT = 1
SUFFIX = ".scales.json"
N_PAIRS = 20_000  # random pairs of test digits per median: its sampling error is well under 1%
DIGITS = 6  # significant digits kept in the JSON


def _check_image(image) -> np.ndarray:
    x = np.asarray(image, dtype=np.float32)
    if x.shape != (28, 28):
        raise InputError("A sweep takes one 28x28 digit, got shape {shape}.", shape=x.shape)
    if not np.isfinite(x).all():
        raise InputError("The digit holds NaN or infinite pixels.")
    return x


def _check_value(kind: str, value: float) -> float:
    if not math.isfinite(value):
        raise InputError("A {kind} of {value} is not a number that can be applied.", kind=kind, value=value)
    if kind == "zoom" and value <= 0:
        raise InputError("A zoom must be a factor above 0 (1 = unchanged), not {value}.", value=value)
    if kind == "brightness" and value < 0:
        raise InputError("A brightness must be a factor of 0 or more (1 = unchanged), not {value}.", value=value)
    return float(value)


def transform(image, kind: str, value: float) -> np.ndarray:
    """One digit (28, 28) in [-1, 1] under one transformation, (28, 28) float32:
    - "zoom": scaled by `value` about the centre (1 = unchanged, 2 = twice as large);
    - "shift": moved `value` pixels to the right (negative: to the left);
    - "rotation": turned `value` degrees counter-clockwise about the centre;
    - "brightness": the ink scaled by `value` (x + 1 -> value * (x + 1), clipped to [-1, 1]), so the
      background stays -1, 0 leaves a blank image and 1 the digit itself.
    Zoom, shift and rotation are OpenCV affine warps, bilinear, with -1 coming in from outside the frame."""
    if kind not in KINDS:
        raise InputError("Unknown transformation {kind!r}: choose one of {options}.", kind=kind,
                         options=", ".join(KINDS))
    x = _check_image(image)  # (28, 28)
    value = _check_value(kind, value)
    if kind == "brightness":
        return np.clip(BACKGROUND + value * (x - BACKGROUND), -1.0, 1.0).astype(np.float32)
    if kind == "shift":
        matrix = np.array([[1.0, 0.0, value], [0.0, 1.0, 0.0]])  # (2, 3): x' = x + value
    else:
        angle, scale = (value, 1.0) if kind == "rotation" else (0.0, value)
        matrix = cv2.getRotationMatrix2D(CENTRE, angle, scale)  # (2, 3)
    return cv2.warpAffine(x, matrix, (28, 28), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=BACKGROUND)


def values(start: float, stop: float, steps: int) -> np.ndarray:
    """The `steps` evenly spaced values of a sweep from `start` to `stop`, both included: (steps,)."""
    if not isinstance(steps, int | np.integer) or not 2 <= steps <= MAX_STEPS:
        raise InputError("A sweep needs between 2 and {most} steps, not {steps}.", most=MAX_STEPS, steps=steps)
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise InputError("A sweep from {start} to {stop} has an end that is not a number.", start=start, stop=stop)
    if start == stop:
        raise InputError("A sweep from {start} to {stop} goes nowhere: give it two different ends.", start=start,
                         stop=stop)
    return np.linspace(start, stop, int(steps))


def sweep(image, kind: str, start: float, stop: float, steps: int) -> np.ndarray:
    """The digit under `steps` evenly spaced values of `kind` from `start` to `stop`: (steps, 28, 28).
    A sweep that starts at the identity (zoom 1, shift 0, rotation 0, brightness 1) starts with the
    digit itself. See `transform` for the kinds and their units."""
    if kind not in KINDS:
        raise InputError("Unknown transformation {kind!r}: choose one of {options}.", kind=kind,
                         options=", ".join(KINDS))
    for value in (start, stop):
        _check_value(kind, value)
    return np.stack([transform(image, kind, v) for v in values(start, stop, steps)])  # (steps, 28, 28)


def _rows(points) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim < 2 or len(p) < 2:
        raise InputError("A path needs at least 2 points (frames or codes), got shape {shape}.", shape=p.shape)
    return p.reshape(len(p), -1)  # (steps, features)


def distances_from_start(points) -> np.ndarray:
    """Euclidean distance of each row of `points` (steps, ...) from the first row: (steps,), starting at 0.
    Frames (steps, 28, 28) are compared on their 784 pixels, codes (steps, d) on their d numbers."""
    p = _rows(points)  # (steps, features)
    return np.linalg.norm(p - p[0], axis=1)


def smoothness(points) -> float:
    """The largest step between consecutive rows of `points` (steps, ...) over the mean step: 1.0 when
    the path's points are evenly spaced, larger when it moves in jumps. ValueError when it does not move."""
    p = _rows(points)
    steps = np.linalg.norm(np.diff(p, axis=0), axis=1)  # (steps - 1,)
    if steps.mean() <= 1e-12:
        raise InputError("The path does not move: every point is the same, so it has no evenness.")
    return float(steps.max() / steps.mean())


def pair_median(points, n_pairs: int = N_PAIRS, seed: int = 0) -> float:
    """Median Euclidean distance between `n_pairs` random pairs of distinct rows of `points` (N, ...),
    drawn with `seed` (the same pairs for the same seed and N)."""
    p = _rows(points)  # (N, features)
    if n_pairs < 1:
        raise InputError("A median needs at least one pair, not {n_pairs}.", n_pairs=n_pairs)
    rng = np.random.default_rng(seed)
    i = rng.integers(len(p), size=n_pairs)  # (n_pairs,)
    j = (i + rng.integers(1, len(p), size=n_pairs)) % len(p)  # (n_pairs,), never equal to i
    return float(np.median(np.linalg.norm(p[i] - p[j], axis=1)))


def summarize(model: nn.Module, test_images, n_pairs: int = N_PAIRS, seed: int = 0, source: str = "",
              sha256: str = "") -> dict:
    """The two yardsticks of `model` over `test_images` (N, 28, 28): the median distance between the same
    `n_pairs` random pairs of test digits in pixel space and in code space. A JSON-ready dict."""
    if not has_code(model):
        raise InputError("This model has no code (no encode/decode), so its code cannot be measured.")
    images = np.asarray(test_images, dtype=np.float32)  # (N, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) < 2:
        raise InputError("The yardsticks need at least 2 test digits of 28x28, got shape {shape}.",
                         shape=images.shape)
    codes = encode_all(model, images)  # (N, d)

    def rounded(v: float) -> float:
        return float(f"{v:.{DIGITS}g}")

    return {
        "format": SCALES_FORMAT,
        "pixel_median": rounded(pair_median(images, n_pairs, seed)),
        "code_median": rounded(pair_median(codes, n_pairs, seed)),
        "dim": int(codes.shape[1]),
        "n_digits": int(len(images)),
        "n_pairs": int(n_pairs),
        "seed": int(seed),
        "source": source,
        "sha256": sha256,
    }


def measure(model: nn.Module, frames, scales: dict) -> dict:
    """What a sweep does to the image and to `model`'s code. `frames` (steps, 28, 28) from `sweep`,
    `scales` from `summarize` (or `load_scales`). Returns
    codes (steps, d), reconstructions (steps, 28, 28), the scaled distances from the first frame
    pixel (steps,) and code (steps,) (1.0 = as far apart as two random test digits), and
    pixel_smoothness, code_smoothness (`smoothness` of the frames and of the codes; None if it does not move)."""
    if not has_code(model):
        raise InputError("This model has no code (no encode/decode), so its code cannot be followed.")
    x = np.asarray(frames, dtype=np.float32)
    if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) < 2:
        raise InputError("A sweep is at least 2 frames of 28x28, got shape {shape}.", shape=x.shape)
    if not (scales.get("pixel_median", 0) > 0 and scales.get("code_median", 0) > 0):
        raise InputError("The yardsticks (median distances of random test pairs) must be above 0.")
    codes = encode_all(model, x)  # (steps, d)

    def even(points) -> float | None:
        try:
            return smoothness(points)
        except ValueError:
            return None

    return {
        "codes": codes,
        "reconstructions": decode(model, codes),  # (steps, 28, 28)
        "pixel": distances_from_start(x) / scales["pixel_median"],  # (steps,)
        "code": distances_from_start(codes) / scales["code_median"],  # (steps,)
        "pixel_smoothness": even(x),
        "code_smoothness": even(codes),
    }


def scales_path(name: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name>.scales.json` (default folder: the checkpoint folder)."""
    return checkpoint.companion_path(name, SUFFIX, folder)


def save_scales(scales: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write the yardsticks to `<folder>/<name>.scales.json` atomically."""
    return checkpoint.save_companion(scales, name, SUFFIX, folder)


def load_scales(name: str, folder: str | Path | None = None) -> dict:
    """The yardsticks saved for `name`; ValueError with what to do when they are missing or unreadable."""
    data = checkpoint.load_companion(name, SUFFIX, "a file of sweep yardsticks",
                                     f"python -m ae_core.transform --name {name}",
                                     ("pixel_median", "code_median", "sha256"), folder)
    if not all(isinstance(data[k], int | float) and data[k] > 0 for k in ("pixel_median", "code_median")):
        raise InputError("{file} holds medians that are not positive numbers; "
                         "recompute it with `python -m ae_core.transform --name {name}`.",
                         file=scales_path(name, folder).name, name=name)
    return data


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Compute a checkpoint's sweep yardsticks: the median pixel and "
                                                 "code distances between random pairs of test digits.")
    parser.add_argument("--name", required=True, help="checkpoint name, e.g. standard_d30")
    parser.add_argument("--out", default=None, help="checkpoint folder to read and write (default: checkpoints/)")
    parser.add_argument("--pairs", type=int, default=N_PAIRS, help=f"random pairs per median (default: {N_PAIRS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random pairs (default: 0)")
    args = parser.parse_args(argv)

    from ae_core.data import load_mnist

    model, card = checkpoint.load(args.name, args.out)
    digits = load_mnist(train=False)
    scales = summarize(model, digits.images, args.pairs, args.seed, digits.source, card["sha256"])
    scales["name"] = args.name
    scales["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = save_scales(scales, args.name, args.out)
    print(f"{path}: over {scales['n_pairs']:,} random pairs of {scales['n_digits']:,} test digits ({digits.source}), "
          f"median pixel distance {scales['pixel_median']:.4g}, median code distance {scales['code_median']:.4g} "
          f"(d = {scales['dim']})")


if __name__ == "__main__":
    main()
