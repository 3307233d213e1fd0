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

MEASURES = {"psnr": "PSNR (dB)", "ssim": "SSIM", "mse": "MSE"}
REGIONS = {"whole": "Whole image", "repaired": "Repaired pixels only"}
LOWER_IS_BETTER = ("mse",)
FORMATS = {"psnr": ".2f", "ssim": ".3f", "mse": ".4f"}  # how the tables write each measure


def figure_key(measure: str, region: str) -> str:
    """The figure's key in ae_core.metrics: ("psnr", "whole") -> "psnr", ("psnr", "repaired") -> "psnr_repaired"."""
    return measure if region == "whole" else f"{measure}_{region}"


def figure_title(key: str) -> str:
    """A figure's full name: "psnr" -> "PSNR (dB), whole image", "ssim_repaired" -> "SSIM, repaired pixels only"."""
    measure, _, region = key.partition("_")
    return f"{MEASURES[measure]}, {REGIONS[region or 'whole'].lower()}"


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
    lines = ["| method | " + " | ".join(MEASURES.values()) + " |", "|---|" + "--:|" * len(keys)]
    for name, row, signed_row in zip(names, values, signed, strict=True):
        cells = [_cell(value, FORMATS[measure], bold=score_ == top)
                 for measure, value, score_, top in zip(MEASURES, row, signed_row, best, strict=True)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def region_tables(table: pd.DataFrame) -> dict[str, str]:
    """`metrics_table` for each region of REGIONS, by its title: "Whole image", "Repaired pixels only"."""
    return {title: metrics_table(table, region) for region, title in REGIONS.items()}


def show_side_by_side(tables: dict[str, str]) -> None:
    """Markdown tables side by side, each under its bold title (stacked on a phone, where columns stack)."""
    for column, (title, text) in zip(st.columns(len(tables)), tables.items(), strict=True):
        column.markdown(f"**{title}**\n\n{text}")


def _cell(value: float, spec: str, bold: bool) -> str:
    """One figure of a metrics table: formatted with `spec`, in bold if it is the column's best."""
    if np.isnan(value):
        return "—"
    return f"**{value:{spec}}**" if bold else f"{value:{spec}}"
