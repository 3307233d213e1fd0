"""What the Repair page shows and shares: its setup in the URL, the method line-up, the comparison PNG.

The setup (digit class and index, damage, p, seed) is mirrored in the URL's query string so a teacher
can share exactly what they see; `read_setup` validates whatever the URL holds and falls back to the
defaults, with a warning, for anything it cannot use.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image, ImageDraw, ImageFont
from torch import nn

from ae_core import benchmark, inference, metrics
from ae_core.models import has_code
from ui.i18n import N_, _
from ui.images import to_uint8

# Labels in English, marked for translation: the keys are what the URL, the session and the widgets hold, the
# labels are shown with _().
DAMAGES = {"dropout": N_("lecture dropout"), "mask": N_("plain masking"), "patch": N_("grey patch"),
           "gaussian": N_("Gaussian noise"), "painted": N_("a mask you paint")}
DEFAULTS = {"class": 7, "index": 0, "damage": "dropout", "p": 0.5, "seed": 0}
ROLES = {"standard": N_("standard AE"), "denoising": N_("denoising AE"), "projection": N_("manifold projection"),
         "best": N_("best model")}
DEFAULT_MODELS = {"standard": "standard_d30", "denoising": "denoising_d500", "projection": "denoising_d500",
                  "best": "repair_resunet"}
# The comparison PNG's captions: DejaVu Sans from matplotlib's own data (Pillow's default font has no ç ğ ı İ ö ş),
# wrapped to the width of a digit by measuring each line.
CAPTION_PX = 11  # the font's size: 14-pixel lines (ascent 11, descent 3), about 17 characters under a 112-pixel digit
BIHARMONIC_NOTE = N_("Biharmonic: scikit-image's biharmonic inpainting, the smoothest surface through the known "
                     "pixels; the strongest classical method for scattered missing pixels.")


def read_setup(query: dict) -> tuple[dict, list[str]]:
    """The setup a query string describes, and one sentence per value that had to be replaced (translated: call
    it in a session)."""
    setup, problems = dict(DEFAULTS), []
    parsers = {"class": lambda v: _int_in(v, 0, 9), "index": lambda v: _int_in(v, 0, 10**6),
               "damage": lambda v: v if v in DAMAGES and v != "painted" else None,
               "p": lambda v: _float_in(v, 0.0, 1.0), "seed": lambda v: _int_in(v, 0, 2**31 - 1)}
    for key, parse in parsers.items():
        if key not in query:
            continue
        value = parse(str(query[key]))
        if value is None:
            problems.append(_("The link's {key}={value!r} cannot be used; showing {default!r} instead.", key=key,
                              value=query[key], default=DEFAULTS[key]))
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
    """The results grid as one picture: each digit enlarged, its caption (the name the page shows, in any
    language) underneath, in as many lines as it needs to fit the digit's width, never cut. (H, W) uint8."""
    side, gap, line_px = 28 * scale, 8, 14
    font = _caption_font()
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    captions = {name: _wrap(name, lambda text: measure.textlength(text, font=font) <= side) for name in images}
    lines = max(len(lines) for lines in captions.values())
    width = len(images) * (side + gap) + gap
    canvas = Image.new("L", (width, side + lines * line_px + 2 * gap + 4), color=255)
    draw = ImageDraw.Draw(canvas)
    for i, (name, image) in enumerate(images.items()):
        left = gap + i * (side + gap)
        canvas.paste(Image.fromarray(to_uint8(image, scale)), (left, gap))
        for k, line in enumerate(captions[name]):
            draw.text((left, side + gap + 3 + k * line_px), line, fill=0, font=font)
    return np.asarray(canvas)


@cache
def _caption_font() -> ImageFont.FreeTypeFont:
    """DejaVu Sans at CAPTION_PX, the font matplotlib ships (imported here, on a download only: it takes
    most of a second)."""
    import matplotlib

    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), CAPTION_PX)


def _wrap(text: str, fits) -> list[str]:
    """`text` in lines for which `fits(line)` holds: as many words per line as fit, and a word too long for a
    line of its own cut where it must (after as many characters as fit, at least one)."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] += f" {word}"
            continue
        while len(word) > 1 and not fits(word):
            cut = next((k for k in range(len(word) - 1, 0, -1) if fits(word[:k])), 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines
