"""AppTest of the Benchmarks page: it shows the stored results, follows its controls, measures on demand."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "benchmarks.py")
RESULTS = json.loads((Path(__file__).resolve().parent.parent / "bench" / "results" / "quality.json").read_text())


def _run() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def _curve(at: AppTest, method: str) -> list:
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    return next(t["y"] for t in figure["data"] if t["name"] == method)


def test_curves_show_the_stored_figures_and_follow_the_controls():
    at = _run()
    dropout = [r for r in RESULTS["repair"] if r["kind"] == "dropout"]
    assert _curve(at, "Navier-Stokes") == [r["results"]["Navier-Stokes"]["psnr"] for r in dropout]
    at.selectbox(key="bench_metric").set_value("ssim").run()
    assert _curve(at, "Navier-Stokes") == [r["results"]["Navier-Stokes"]["ssim"] for r in dropout]


def test_the_page_answers_the_question_and_names_each_conditions_winner():
    at = _run()
    assert any(m.value.startswith("**The answer:** an autoencoder beats the best classical method in")
               for m in at.markdown)
    half = next(r for r in RESULTS["repair"] if r["condition"] == "dropout p=0.5")["results"]
    winner = max((n for n in half if half[n]), key=lambda n: half[n]["psnr"])
    assert any(m.value.startswith(f"**Winner at dropout p=0.5: {winner}**") for m in at.markdown)


def test_condition_table_follows_the_picker():
    at = _run()
    assert at.dataframe[0].value.loc["Telea", "psnr"] == next(
        r for r in RESULTS["repair"] if r["condition"] == "dropout p=0.5")["results"]["Telea"]["psnr"]
    at.selectbox(key="bench_condition").set_value("gaussian sigma=0.5").run()
    table = at.dataframe[0].value
    assert table["psnr"].isna()["Telea"] and not table["psnr"].isna()["standard_d30"]


def test_evaluate_a_model_on_a_slice():
    at = _run()
    at.selectbox(key="bench_model").set_value("standard_d30")
    at.slider(key="bench_slice").set_value(100)
    at.button(key="bench_evaluate").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.columns) == [0.1, 0.3, 0.5, 0.7, 0.9] and set(table.index) == {"standard_d30", "Biharmonic"}
    assert table.loc["Biharmonic", 0.1] > table.loc["Biharmonic", 0.9]  # more damage, worse repair
    lead = table.loc["standard_d30"] - table.loc["Biharmonic"]
    assert (lead < 0).all()  # the lecture's small bottleneck never beats biharmonic inpainting
    assert any(m.value.startswith(f"standard_d30 against biharmonic inpainting: {lead[0.1]:+.1f} dB at p = 0.1")
               and "**Biharmonic wins at every p.**" in m.value for m in at.markdown)


def test_super_resolution_figures_are_shown_and_its_models_are_not_measured_as_repairers():
    at = _run()
    table = next(d.value for d in at.dataframe if "7×7 PSNR (dB)" in d.value.columns)
    seven = next(r for r in RESULTS["superres"] if r["size"] == 7)["results"]
    assert list(table.index) == list(seven)
    assert table.loc["superres_resunet", "7×7 PSNR (dB)"] == seven["superres_resunet"]["psnr"]
    assert "superres_resunet" not in at.selectbox(key="bench_model").options
    assert "repair_resunet" in at.selectbox(key="bench_model").options
