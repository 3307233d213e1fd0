"""Read the Repair page's metrics table (a Markdown table, ui.repair.metrics_table) back into numbers, for
the AppTests of that page."""

import pandas as pd


def metrics_table(at) -> pd.DataFrame:
    """The table on the page as a DataFrame: methods down (in the page's order), its column titles across,
    NaN for "—"; asserts it is there. The bold marks of the best figures are in `bold` (same shape)."""
    text = next(m.value for m in at.markdown if m.value.startswith("| method |"))
    header, _, *rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()]
    cells = pd.DataFrame([row[1:] for row in rows], index=[row[0] for row in rows], columns=header[1:])
    table = cells.map(lambda c: float("nan") if c == "—" else float(c.strip("*")))
    table.attrs["bold"] = cells.map(lambda c: c.startswith("**"))
    return table
