"""AppTest of the Toy manifolds page: Train draws three charts, 3-D draws 3-D charts, σ changes the picture.

AppTest does not render plotly charts; each figure is read from the element's JSON spec.
"""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "toy.py")


def _figures(at: AppTest) -> dict[str, dict]:
    """Each plotly chart's figure by the chart's key."""
    assert not at.exception, at.exception
    return {chart.key: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


def test_page_waits_for_train_then_shows_three_2d_charts_and_a_table():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert at.title[0].value == "Toy manifolds"
    assert not _figures(at) and at.info
    at.button(key="toy_train").click().run()
    figures = _figures(at)
    assert list(figures) == ["toy_chart_standard", "toy_chart_denoising", "toy_chart_contractive"]
    for figure in figures.values():
        types = {trace.get("type", "scatter") for trace in figure["data"]}
        assert types == {"scatter"}
        assert any("colorbar" in trace.get("marker", {}) for trace in figure["data"])
    table = at.dataframe[0].value.set_index("model")
    assert table.loc["denoising", "mean distance, far"] > 5 * table.loc["denoising", "mean distance, on"]
    assert table.loc["contractive", "response across"] < 0.2 * table.loc["contractive", "response along"]
    assert table.loc["contractive", "response across"] < 0.2 * table.loc["standard", "response across"]


def test_3d_curve_gives_3d_charts_and_sigma_changes_the_denoising_figure():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.button(key="toy_train").click().run()
    before = _figures(at)
    at.slider(key="toy_sigma").set_value(0.4).run()
    after = _figures(at)
    assert after["toy_chart_denoising"]["data"] != before["toy_chart_denoising"]["data"]
    assert after["toy_chart_standard"]["data"] == before["toy_chart_standard"]["data"]  # σ only feeds the denoising AE
    at.radio(key="toy_curve").set_value("3-D").run()
    figures = _figures(at)
    assert len(figures) == 3
    for figure in figures.values():
        assert {trace["type"] for trace in figure["data"]} == {"scatter3d"}


def test_the_lectures_code_penalty_is_one_click_away_and_explained():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.button(key="toy_train").click().run()
    at.radio(key="toy_penalty").set_value("code").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("model")
    assert table.loc["contractive", "‖∂h/∂x‖ on"] < 0.5 * table.loc["standard", "‖∂h/∂x‖ on"]
    assert any("free linear decoder scales it back up" in c.value for c in at.caption)
