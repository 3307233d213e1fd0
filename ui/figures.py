"""The figures the app measures: one vocabulary for their names on every page, table, plot and download, and
the Markdown tables that show them side by side (Repair's and Benchmarks').

A figure is a measure taken over some pixels: "PSNR (dB), repaired pixels only". Tables that split the
figures by pixels title each part with its region and each column with its measure. Methods are named by
ae_core (a checkpoint's name, `inference.projection_name`, `benchmark.CLASSICAL`, `benchmark.NO_REPAIR`),
and ae_core.metrics.METRIC_INFO explains each figure with the same words.
"""

import numpy as np
import pandas as pd
import streamlit as st

from ae_core import benchmark, inference, metrics
from ui.i18n import N_, _, number, translated

# English, marked for translation: show them with _() (or the functions below, which do).
MEASURES = {"psnr": N_("PSNR (dB)"), "ssim": N_("SSIM"), "mse": N_("MSE")}
REGIONS = {"whole": N_("Whole image"), "repaired": N_("Repaired pixels only")}
TITLES = {"whole": N_("{measure}, whole image"), "repaired": N_("{measure}, repaired pixels only")}  # by region
INTERPOLATIONS = {"nearest": N_("nearest"), "bicubic": N_("bicubic")}  # ae_core.superres.METHODS
PROJECTION_PREFIX = inference.projection_name("")  # "projection: "
LOWER_IS_BETTER = ("mse",)
FORMATS = {"psnr": ".2f", "ssim": ".3f", "mse": ".4f"}  # how the tables write each measure


def figure_key(measure: str, region: str) -> str:
    """The figure's key in ae_core.metrics: ("psnr", "whole") -> "psnr", ("psnr", "repaired") -> "psnr_repaired"."""
    return measure if region == "whole" else f"{measure}_{region}"


def figure_title(key: str) -> str:
    """A figure's full name, translated: "psnr" -> "PSNR (dB), whole image", "ssim_repaired" -> "SSIM, repaired
    pixels only"."""
    measure, _sep, region = key.partition("_")
    return _(TITLES[region or "whole"], measure=_(MEASURES[measure]))


def figure_info(key: str) -> str:
    """What a figure means (ae_core.metrics.METRIC_INFO), translated: "PSNR (dB), whole image: higher is better"."""
    return translated(metrics.METRIC_INFO[key])


def method_label(name: str) -> str:
    """A method's name as shown, translated where it is words: "damaged (no repair)" (benchmark.NO_REPAIR),
    super-resolution's interpolations (ae_core.superres.METHODS) and "projection: <checkpoint>"
    (inference.projection_name); checkpoints and classical methods are names. The English name stays the
    method's key everywhere else (tables' indexes, results files, the URL)."""
    if name == benchmark.NO_REPAIR:
        return _("damaged (no repair)")
    if name in INTERPOLATIONS:
        return _(INTERPOLATIONS[name])
    if name.startswith(PROJECTION_PREFIX):
        return _("projection: {model}", model=name.removeprefix(PROJECTION_PREFIX))
    return name


def metrics_table(table: pd.DataFrame, region: str) -> str:
    """Figures of several methods (methods down, ae_core.metrics' keys across) over one region of REGIONS, as
    the pages show them, a Markdown table: methods sorted by whole-image PSNR (best first, the same order in
    both regions), one column per measure, the best figure of each column in bold ("—" where it has none).

    Markdown, not a st.dataframe (let alone a pandas Styler): a Styler's highlighting took a third of the
    server's time per Repair update, and a plain dataframe's Arrow conversion still took more than the
    rest of the page's table and text together (docs/BENCHMARKS.md, "Classroom load"). Two narrow tables,
    not one wide one: each fits a phone."""
    keys = [figure_key(measure, region) for measure in MEASURES]
    values = table[keys].to_numpy()  # (M, 3)
    order = np.argsort(-np.nan_to_num(table["psnr"].to_numpy(), nan=-np.inf), kind="stable")  # best PSNR first
    values, names = values[order], table.index.to_numpy()[order]
    signed = np.where(np.isin(list(MEASURES), LOWER_IS_BETTER), -values, values)  # (M, 3): higher is better
    best = np.nanmax(np.where(np.isnan(signed), -np.inf, signed), axis=0)  # (3,)
    header = [_("method")] + [_(shown) for shown in MEASURES.values()]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "--:|" * len(keys)]
    for name, row, signed_row in zip(names, values, signed, strict=True):
        cells = [_cell(value, FORMATS[measure], bold=score_ == top)
                 for measure, value, score_, top in zip(MEASURES, row, signed_row, best, strict=True)]
        lines.append(f"| {method_label(name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def region_tables(table: pd.DataFrame) -> dict[str, str]:
    """`metrics_table` for each region of REGIONS, by its translated title: "Whole image", "Repaired pixels
    only"."""
    return {_(title): metrics_table(table, region) for region, title in REGIONS.items()}


def show_side_by_side(tables: dict[str, str]) -> None:
    """Markdown tables side by side, each under its bold title (stacked on a phone, where columns stack). The
    titles are shown as given: already in the session's language (`region_tables` translates its own)."""
    for column, (title, text) in zip(st.columns(len(tables)), tables.items(), strict=True):
        column.markdown(f"**{title}**\n\n{text}")


def _cell(value: float, spec: str, bold: bool) -> str:
    """One figure of a metrics table: formatted with `spec`, in bold if it is the column's best."""
    if np.isnan(value):
        return "—"
    text = number(value, spec)  # the session's decimal mark
    return f"**{text}**" if bold else text
