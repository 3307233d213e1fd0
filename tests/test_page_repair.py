"""AppTest of the Repair page: it runs, and every main control changes what is shown."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.metrics_tables import metrics_table

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "repair.py")
CLASSICAL = ["Telea", "Navier-Stokes", "Biharmonic"]
METHODS = ["standard_d30", "denoising_d500", "projection: denoising_d500", "repair_resunet", *CLASSICAL]


def _run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _psnr(at: AppTest) -> dict:
    assert not at.exception, at.exception
    return metrics_table(at)["psnr"].to_dict()


def test_default_setup_compares_every_method_on_a_7():
    at = _run()
    assert sorted(_psnr(at)) == sorted(METHODS)
    assert "test digit 7 #0" in " ".join(c.value for c in at.caption)
    assert at.query_params["damage"] == "dropout" and at.query_params["p"] == "0.5"
    assert at.get("download_button")


def test_the_table_ranks_the_methods_and_marks_the_best_of_each_column():
    table = metrics_table(_run())
    assert table["psnr"].is_monotonic_decreasing  # best first
    bold = table.attrs["bold"]
    for column in table.columns:
        best = table[column].min() if column.startswith("mse") else table[column].max()
        assert bold[column].any() and (table[column][bold[column]] == best).all(), column  # shown rounded


def _verdict(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Winner on this digit" in m.value)


def test_the_page_names_the_winner_and_the_denoising_ae_against_the_best_classical_method():
    at = _run()
    psnr = _psnr(at)
    winner = max(psnr, key=psnr.get)
    best_classical = max(CLASSICAL, key=psnr.get)
    assert best_classical == "Biharmonic"  # on scattered dropped pixels it beats OpenCV's two
    text = _verdict(at)
    assert f"Winner on this digit: {winner}** ({psnr[winner]:.1f} dB)" in text
    gap = psnr["denoising_d500"] - psnr[best_classical]
    assert (f"The denoising AE, denoising_d500, {'beats' if gap > 0 else 'loses to'} {best_classical} "
            f"by {abs(gap):.1f} dB.") in text
    assert any("Biharmonic: scikit-image's biharmonic inpainting" in c.value for c in at.caption)


def test_the_best_model_is_the_residual_unet_and_repair_unet_stays_on_offer():
    at = _run()
    picker = at.selectbox(key="repair_model_best")
    assert picker.value == "repair_resunet"
    assert any(option.startswith("repair_unet (unet, no code") for option in picker.options)


def test_moving_p_changes_the_figures():
    at = _run()
    before = _psnr(at)
    at.slider(key="repair_p").set_value(0.8).run()
    after = _psnr(at)
    assert all(after[m] < before[m] for m in CLASSICAL)  # more damage, worse repair
    assert at.query_params["p"] == "0.8"


def test_extreme_p_still_shows_results():
    nothing_dropped = _psnr(_run({"p": "0"}))
    assert set(nothing_dropped) == set(METHODS) and nothing_dropped["Telea"] == 100.0  # untouched: perfect
    at = _run({"p": "1"})
    assert set(_psnr(at)) == set(METHODS) - set(CLASSICAL)  # nothing known to inpaint from
    assert any("not applicable" in c.value for c in at.caption)


def test_new_noise_changes_the_seed_and_the_figures():
    at = _run()
    before = _psnr(at)
    at.button(key="repair_new_noise").click().run()
    assert at.number_input(key="repair_seed").value == 1
    assert _psnr(at) != before


def test_changing_the_damage_kind():
    at = _run()
    at.selectbox(key="repair_damage").set_value("gaussian").run()
    figures = _psnr(at)
    assert "Telea" not in figures and "standard_d30" in figures  # nothing known: no inpainting
    assert any("not applicable" in c.value for c in at.caption)
    at.selectbox(key="repair_damage").set_value("patch").run()
    assert set(_psnr(at)) == set(METHODS)


def test_query_string_picks_the_digit_and_damage():
    at = _run({"class": "3", "index": "2", "damage": "mask", "p": "0.3", "seed": "5"})
    assert not at.exception
    assert at.selectbox(key="repair_class").value == 3 and at.number_input(key="repair_index").value == 2
    assert at.selectbox(key="repair_damage").value == "mask" and at.slider(key="repair_p").value == 0.3
    assert at.number_input(key="repair_seed").value == 5
    assert "test digit 3 #2" in " ".join(c.value for c in at.caption)


def test_nonsense_query_values_fall_back_with_a_warning():
    at = _run({"class": "eleven", "p": "nan", "damage": "fire", "seed": "-4"})
    assert not at.exception
    assert len(at.warning) == 4
    assert at.slider(key="repair_p").value == 0.5 and at.selectbox(key="repair_damage").value == "dropout"


def test_reset_restores_the_defaults():
    at = _run({"class": "3", "p": "0.9"})
    at.button(key="repair_reset").click().run()
    assert not at.exception
    assert at.selectbox(key="repair_class").value == 7 and at.slider(key="repair_p").value == 0.5


def test_model_picker_changes_the_models_figures():
    at = _run()
    before = _psnr(at)
    at.selectbox(key="repair_model_standard").set_value("denoising_d500").run()
    figures = _psnr(at)
    assert "standard_d30" not in figures  # one model in two roles is one method, under its name
    assert list(figures).count("denoising_d500") == 1 and figures["denoising_d500"] == before["denoising_d500"]


def test_random_picks_another_digit_of_the_class():
    at = _run()
    seen = set()
    for _ in range(5):
        at.button(key="repair_random").click().run()
        assert not at.exception
        seen.add(at.number_input(key="repair_index").value)
    assert len(seen) > 1 and at.selectbox(key="repair_class").value == 7
