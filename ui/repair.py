"""What the Repair page shows and shares: its setup in the URL, the method line-up, the comparison PNG.

The setup (digit class and index, damage, p, seed) is mirrored in the URL's query string so a teacher
can share exactly what they see; `read_setup` validates whatever the URL holds and falls back to the
defaults, with a warning, for anything it cannot use.
"""

import numpy as np
import pandas as pd
import torch
from PIL import Image, ImageDraw

from ae_core import benchmark, metrics
from ae_core.models import has_code
from ui.images import to_uint8

DAMAGES = {"dropout": "lecture dropout", "mask": "plain masking", "patch": "grey patch",
           "gaussian": "Gaussian noise", "painted": "a mask you paint"}
DEFAULTS = {"class": 7, "index": 0, "damage": "dropout", "p": 0.5, "seed": 0}
ROLES = {"standard": "standard AE", "denoising": "denoising AE", "projection": "manifold projection",
         "best": "best model"}
DEFAULT_MODELS = {"standard": "standard_d30", "denoising": "denoising_d500", "projection": "denoising_d500",
                  "best": "repair_resunet"}
# The metrics table's column titles, METRIC_INFO's keys in its order, and which way is better.
COLUMN_TITLES = {"psnr": "PSNR (dB)", "ssim": "SSIM", "mse": "MSE", "psnr_repaired": "PSNR repaired (dB)",
                 "ssim_repaired": "SSIM repaired", "mse_repaired": "MSE repaired"}
LOWER_IS_BETTER = ("mse", "mse_repaired")
FORMATS = {"psnr": ".2f", "ssim": ".3f", "mse": ".4f", "psnr_repaired": ".2f", "ssim_repaired": ".3f",
           "mse_repaired": ".4f"}
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


def methods_for(models: dict) -> dict[str, benchmark.Method]:
    """The line-up, by display name, from the model picked for each role (missing roles are skipped)."""
    methods = {}
    if "standard" in models:
        methods["standard AE"] = benchmark.one_shot(models["standard"])
    if "denoising" in models:
        methods["denoising AE"] = benchmark.one_shot(models["denoising"])
    if "projection" in models and has_code(models["projection"]):
        methods["manifold projection"] = benchmark.projection(models["projection"])
    if "best" in models:
        methods["best model"] = benchmark.one_shot(models["best"])
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


def metrics_table(table: pd.DataFrame) -> str:
    """`score`'s table as the page shows it, a Markdown table: methods sorted by whole-image PSNR (best
    first), readable titles, the best figure of each column in bold ("—" where a method has none).

    Markdown, not a st.dataframe (let alone a pandas Styler): a Styler's highlighting took a third of the
    server's time per Repair update, and a plain dataframe's Arrow conversion still took more than the
    rest of the page's table and text together (docs/BENCHMARKS.md, "Classroom load")."""
    keys = list(COLUMN_TITLES)
    values = table[keys].to_numpy()  # (M, 6)
    order = np.argsort(-np.nan_to_num(values[:, 0], nan=-np.inf), kind="stable")  # best whole-image PSNR first
    values, names = values[order], table.index.to_numpy()[order]
    signed = np.where(np.isin(keys, LOWER_IS_BETTER), -values, values)  # (M, 6): higher is better everywhere
    best = np.nanmax(np.where(np.isnan(signed), -np.inf, signed), axis=0)  # (6,)
    lines = ["| method | " + " | ".join(COLUMN_TITLES.values()) + " |", "|---|" + "--:|" * len(keys)]
    for name, row, signed_row in zip(names, values, signed, strict=True):
        cells = [_cell(value, FORMATS[key], bold=score_ == top)
                 for key, value, score_, top in zip(keys, row, signed_row, best, strict=True)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: float, spec: str, bold: bool) -> str:
    """One figure of the metrics table: formatted with `spec`, in bold if it is the column's best."""
    if np.isnan(value):
        return "—"
    return f"**{value:{spec}}**" if bold else f"{value:{spec}}"


def comparison_png(images: dict[str, np.ndarray], scale: int = 4) -> np.ndarray:
    """The results grid as one picture: each digit enlarged, its caption underneath. (H, W) uint8."""
    side, gap, caption = 28 * scale, 8, 18
    width = len(images) * (side + gap) + gap
    canvas = Image.new("L", (width, side + caption + 2 * gap), color=255)
    draw = ImageDraw.Draw(canvas)
    for i, (name, image) in enumerate(images.items()):
        left = gap + i * (side + gap)
        canvas.paste(Image.fromarray(to_uint8(image, scale)), (left, gap))
        draw.text((left, side + gap + 3), name[:20], fill=0)
    return np.asarray(canvas)
