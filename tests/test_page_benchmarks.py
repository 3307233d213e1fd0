"""AppTest of the Benchmarks page: it shows the stored results, follows its controls, measures on demand."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.metrics_tables import markdown_tables, metrics_table

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


def test_condition_tables_follow_the_picker():
    at = _run()
    half = next(r for r in RESULTS["repair"] if r["condition"] == "dropout p=0.5")["results"]
    table = metrics_table(at)
    assert set(table.index) == set(half)  # every method once, the stored names
    assert table.loc["Telea", "psnr"] == round(half["Telea"]["psnr"], 2)  # shown with two decimals
    assert table.loc["Telea", "ssim_repaired"] == round(half["Telea"]["ssim_repaired"], 3)
    at.selectbox(key="bench_condition").set_value("gaussian sigma=0.5").run()
    table = metrics_table(at)
    assert table["psnr"].isna()["Telea"] and not table["psnr"].isna()["standard_d30"]


def test_clean_tables_pair_each_model_with_pca_of_its_size_once():
    tables = markdown_tables(_run())
    for size in {r["code_size"] for r in RESULTS["clean"]}:
        stored = {r["method"]: r for r in RESULTS["clean"] if r["code_size"] == size}
        table = tables[f"d = {size}"]
        assert table.index.is_unique and set(table.index) == set(stored) and f"PCA-{size}" in table.index
        assert all(table.loc[m, "psnr"] == round(r["psnr"], 2) for m, r in stored.items())


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
    table = markdown_tables(at)["7×7 → 28×28"]
    seven = next(r for r in RESULTS["superres"] if r["size"] == 7)["results"]
    assert set(table.index) == set(seven) and table["psnr"].is_monotonic_decreasing
    assert table.loc["superres_resunet", "psnr"] == round(seven["superres_resunet"]["psnr"], 2)
    assert "superres_resunet" not in at.selectbox(key="bench_model").options
    assert "repair_resunet" in at.selectbox(key="bench_model").options
