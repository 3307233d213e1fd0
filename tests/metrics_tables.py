"""Read a page's metrics tables (Markdown, ui.figures.metrics_table, each under a bold title) back into numbers,
for the AppTests of the Repair and Benchmarks pages."""

import pandas as pd

from ui.figures import MEASURES, REGIONS


def markdown_tables(at) -> dict[str, pd.DataFrame]:
    """Every metrics table on the page by its title: methods down (in the page's order), the measures' keys
    across ("psnr", "ssim", "mse"), NaN for "—". The bold marks of the best figures are in `bold` (same shape)."""
    tables = {}
    for text in (m.value for m in at.markdown if "| method |" in m.value):
        title, table = text.split("\n\n", 1)
        header, _, *rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()]
        keys = [next(key for key, shown in MEASURES.items() if shown == column) for column in header[1:]]
        cells = pd.DataFrame([row[1:] for row in rows], index=[row[0] for row in rows], columns=keys)
        tables[title.strip("*")] = numbers = cells.map(lambda c: float("nan") if c == "—" else float(c.strip("*")))
        numbers.attrs["bold"] = cells.map(lambda c: c.startswith("**"))
    return tables


def metrics_table(at) -> pd.DataFrame:
    """The page's two region tables (whole image, repaired pixels only) as one DataFrame, the figures' keys
    across ("psnr", ..., "mse_repaired"), with their `bold` marks; asserts both are there."""
    tables = markdown_tables(at)
    assert set(REGIONS.values()) <= set(tables), f"metrics tables shown: {sorted(tables)}"
    parts = [tables[REGIONS["whole"]], tables[REGIONS["repaired"]].add_suffix("_repaired")]
    bold = [part.attrs.pop("bold") for part in parts]  # pandas cannot concatenate frames holding frames in attrs
    table = pd.concat(parts, axis=1)
    table.attrs["bold"] = pd.concat([bold[0], bold[1].add_suffix("_repaired")], axis=1)
    return table
