"""The layout every Plotly figure of the app shares, so it fits a phone (390 px wide) as well as a desktop.

Plotly neither wraps a title nor moves a legend out of the way: a long in-figure title is cut at the right
edge, and a legend on the right takes half a phone's width. So figures carry no title (the page writes it
as text above the chart, where it wraps) and the legend lies in rows under the x-axis title. Its numbers
use the session's decimal mark (0,5 in Turkish).
"""

import plotly.graph_objects as go

from ui.i18n import plot_separators

MARGIN = {"l": 0, "r": 0, "t": 10, "b": 0}  # px; the axes' automargin makes room for their labels
# Horizontal, at the bottom of the whole figure ("container"): Plotly then puts it below the x-axis title
# and shrinks the plot to fit its rows (at y = -0.1 of the plot area it would overlap that title).
LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def fit_width(figure: go.Figure) -> go.Figure:
    """Give `figure` the shared layout (small margins, axes that make room for their labels, the legend under
    the plot, the language's number format) and return it. Other layout settings of the figure, such as its
    height, stay as they are."""
    figure.update_layout(margin=MARGIN, legend=LEGEND, separators=plot_separators())
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure
