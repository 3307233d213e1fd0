"""What the Repair page shows and shares: its setup in the URL, the method line-up, the comparison PNG.

The setup (digit class and index, damage, p, seed) is mirrored in the URL's query string so a teacher
can share exactly what they see; `read_setup` validates whatever the URL holds and falls back to the
defaults, with a warning, for anything it cannot use.
"""

import textwrap

import numpy as np
import pandas as pd
import torch
from PIL import Image, ImageDraw
from torch import nn

from ae_core import benchmark, inference, metrics
from ae_core.models import has_code
from ui.images import to_uint8

DAMAGES = {"dropout": "lecture dropout", "mask": "plain masking", "patch": "grey patch",
           "gaussian": "Gaussian noise", "painted": "a mask you paint"}
DEFAULTS = {"class": 7, "index": 0, "damage": "dropout", "p": 0.5, "seed": 0}
ROLES = {"standard": "standard AE", "denoising": "denoising AE", "projection": "manifold projection",
         "best": "best model"}
DEFAULT_MODELS = {"standard": "standard_d30", "denoising": "denoising_d500", "projection": "denoising_d500",
                  "best": "repair_resunet"}
CAPTION_CHARS = 18  # a caption line in the comparison PNG: Pillow's default font, under a 112-pixel digit
BIHARMONIC_NOTE = ("Biharmonic: scikit-image's biharmonic inpainting, the smoothest surface through the known "
                   "pixels; the strongest classical method for scattered missing pixels.")


def read_setup(query: dict) -> tuple[dict, list[str]]:
    """The setup a query string describes, and one sentence per value that had to be replaced."""
    setup, problems = dict(DEFAULTS), []
    parsers = {"class": lambda v: _int_in(v, 0, 9), "index": lambda v: _int_in(v, 0, 10**6),
               "damage": lambda v: v if v in DAMAGES and v != "painted" else None,
               "p": lambda v: _float_in(v, 0.0, 1.0), "seed": lambda v: _int_in(v, 0, 2**31 - 1)}
    for key, parse in parsers.items():
        if key not in query:
            continue
        value = parse(str(query[key]))
        if value is None:
            problems.append(f"The link's {key}={query[key]!r} cannot be used; showing {DEFAULTS[key]!r} instead.")
        else:
            setup[key] = value
    return setup, problems


def _int_in(text: str, low: int, high: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _float_in(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None  # NaN fails both comparisons


def methods_for(models: dict[str, tuple[str, nn.Module]]) -> dict[str, benchmark.Method]:
    """The line-up from the (checkpoint name, model) picked for each role (missing roles skipped), in ROLES'
    order, by the names every page uses: each model in one pass under its checkpoint's name (a model picked
    for two such roles is one method), "projection: <name>" for the projection role, then the classical
    methods."""
    methods = {}
    for role in [role for role in ROLES if role in models]:
        name, model = models[role]
        if role != "projection":
            methods[name] = benchmark.one_shot(model)
        elif has_code(model):
            methods[inference.projection_name(name)] = benchmark.projection(model)
    return methods | benchmark.classical_methods()


def score(clean: torch.Tensor, outputs: dict[str, torch.Tensor], known: torch.Tensor) -> pd.DataFrame:
    """Every method's figures for one digit (1, 28, 28), methods down, METRIC_INFO's keys across: all
    outputs stacked and scored in one call."""
    names, keys = list(outputs), list(metrics.METRIC_INFO)
    stacked = torch.cat([outputs[name] for name in names])  # (M, 28, 28)
    figures = metrics.per_image(clean.expand_as(stacked), stacked, known.expand_as(stacked))
    # An object index: pandas' default string index (Arrow-backed) costs more to build than the scoring.
    return pd.DataFrame(np.column_stack([figures[key] for key in keys]), index=pd.Index(names, dtype=object),
                        columns=keys)  # (M, 6)


def comparison_png(images: dict[str, np.ndarray], scale: int = 4) -> np.ndarray:
    """The results grid as one picture: each digit enlarged, its caption underneath, in as many lines of
    CAPTION_CHARS as it needs (the names the page shows, never cut). (H, W) uint8."""
    side, gap, line_px = 28 * scale, 8, 14
    captions = {name: textwrap.wrap(name, CAPTION_CHARS, break_on_hyphens=False) for name in images}
    lines = max(len(lines) for lines in captions.values())
    width = len(images) * (side + gap) + gap
    canvas = Image.new("L", (width, side + lines * line_px + 2 * gap + 4), color=255)
    draw = ImageDraw.Draw(canvas)
    for i, (name, image) in enumerate(images.items()):
        left = gap + i * (side + gap)
        canvas.paste(Image.fromarray(to_uint8(image, scale)), (left, gap))
        for k, line in enumerate(captions[name]):
            draw.text((left, side + gap + 3 + k * line_px), line, fill=0)
    return np.asarray(canvas)
