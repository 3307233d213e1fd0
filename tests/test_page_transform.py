"""AppTest of the Transformations page: the sweep's kind, range and steps, the digit and the model change what it shows.

AppTest renders no plotly chart; each figure is read from the element's JSON spec (plotly sends numpy arrays
as base64 typed arrays, decoded here). st.image stores a picture under a hash of its bytes, so comparing
image URLs compares pictures.
"""

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint, transform
from ae_core.config import ModelConfig
from ae_core.data import digit, load_mnist
from ae_core.models import build_model

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "transform.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _values(v) -> np.ndarray:
    if isinstance(v, dict):  # {"dtype": "f8", "bdata": "..."}: plotly's typed array
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def _figures(at: AppTest) -> tuple[dict, dict]:
    """(distance traces, map traces), each name -> (n, 2) points."""
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    return tuple({d["name"]: np.stack([_values(d["x"]), _values(d["y"])], axis=1)
                  for d in json.loads(chart.proto.spec)["data"]} for chart in charts)


def _images(at: AppTest) -> list[tuple[str, str]]:
    """(caption, URL) of every image: the sweep's frames, then their reconstructions."""
    assert not at.exception, at.exception
    return [(caption, url) for image in at.image for caption, url in zip(image.captions, image.value, strict=True)]


def _verdict(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**What the lecture claims"))


def test_the_default_sweep_shifts_a_7_by_minus_6_to_6_pixels():
    at = _run()
    images = _images(at)
    distances, latent_map = _figures(at)
    assert at.title[0].value == "Transformations"
    assert at.selectbox(key="transform_model").value == "standard_d30"
    assert at.segmented_control(key="transform_kind").value == "shift"
    assert at.slider(key="transform_range_shift").value == (-6.0, 6.0)
    labels = [f"{v:+.1f} px" for v in range(-6, 7)]
    assert [c for c, _ in images] == labels * 2  # 13 frames, then their 13 reconstructions
    assert len({url for _, url in images[:13]}) == 13  # every frame is another picture
    # The curves are the measured ones: recompute them from the same digit, model and yardsticks.
    model, _ = checkpoint.load("standard_d30")
    frames = transform.sweep(digit(load_mnist(train=False), 7, 0).numpy(), "shift", -6, 6, 13)
    expected = transform.measure(model, frames, transform.load_scales("standard_d30"))
    pixel, code = distances["pixels (784 numbers)"], distances["code of standard_d30 (30 numbers)"]
    np.testing.assert_allclose(pixel[:, 0], np.arange(-6, 7))
    np.testing.assert_allclose(pixel[:, 1], expected["pixel"], rtol=1e-5)
    np.testing.assert_allclose(code[:, 1], expected["code"], rtol=1e-4)
    assert pixel[0, 1] == code[0, 1] == 0 and pixel[1, 1] > 0.2  # one pixel of shift is already far
    assert len(latent_map["the sweep"]) == 13 and len(latent_map["first frame"]) == 1
    np.testing.assert_allclose(latent_map["first frame"][0], latent_map["the sweep"][0])
    assert set(latent_map) >= {str(c) for c in range(10)} | {"your digit"}
    verdict = _verdict(at)
    assert "Fig. 6" in verdict and f"**{expected['pixel'][1]:.2f}**" in verdict
    assert f"**{expected['code'][1]:.2f}**" in verdict and "one step (1 px)" in verdict
    assert not at.warning and not at.error


def test_steps_change_the_number_of_frames_and_points():
    at = _run()
    at.slider(key="transform_steps").set_value(5).run()
    assert [c for c, _ in _images(at)] == ["-6.0 px", "-3.0 px", "+0.0 px", "+3.0 px", "+6.0 px"] * 2
    distances, latent_map = _figures(at)
    assert all(len(points) == 5 for points in distances.values()) and len(latent_map["the sweep"]) == 5
    assert "one step (3 px)" in _verdict(at)


def test_the_range_changes_the_frames_and_the_curves():
    at = _run()
    before_images, (before, _) = _images(at), _figures(at)
    at.slider(key="transform_range_shift").set_value((0.0, 12.0)).run()
    after_images, (after, _) = _images(at), _figures(at)
    assert after_images[0][0] == "+0.0 px" and after_images[12][0] == "+12.0 px"
    assert after_images[0][1] == before_images[6][1]  # the unshifted digit, now first
    name = "pixels (784 numbers)"
    assert not np.allclose(after[name][:, 1], before[name][:, 1])


def test_each_kind_has_its_own_range_units_and_lecture_figure():
    at = _run()
    for kind, (key_range, first, figure) in {"rotation": ((-45.0, 45.0), "-45°", "Fig. 8"),
                                             "zoom": ((0.6, 1.4), "0.60×", "Fig. 5"),
                                             "brightness": ((0.2, 1.0), "0.20×", "Fig. 7")}.items():
        at.segmented_control(key="transform_kind").set_value(kind).run()
        assert at.slider(key=f"transform_range_{kind}").value == key_range
        images = _images(at)
        assert images[0][0] == first and len(images) == 26
        assert figure in _verdict(at)
        distances, _ = _figures(at)
        assert distances["pixels (784 numbers)"][0, 1] == 0
    frames = _images(at)
    assert frames[-1][0] == "1.00×"  # brightness ends at the digit itself


def test_the_digit_and_the_model_change_the_right_things():
    at = _run()
    before_images, (before, before_map) = _images(at), _figures(at)
    at.selectbox(key="transform_model").set_value("conv_d30").run()
    after_images, (after, after_map) = _images(at), _figures(at)
    assert after_images[:13] == before_images[:13] and after_images[13:] != before_images[13:]
    np.testing.assert_allclose(after["pixels (784 numbers)"], before["pixels (784 numbers)"])
    assert not np.allclose(after["code of conv_d30 (30 numbers)"][:, 1],
                           before["code of standard_d30 (30 numbers)"][:, 1])
    assert not np.allclose(after_map["the sweep"], before_map["the sweep"])
    at.selectbox(key="transform_class").set_value(1).run()
    assert _images(at)[:13] != after_images[:13]


def test_the_picker_offers_models_with_a_code_map_and_yardsticks():
    options = _run().selectbox(key="transform_model").options
    assert {"standard_d30", "denoising_d500", "conv_d30"} <= set(options)
    assert "repair_unet" not in options and "repair_resunet" not in options


def test_a_sweep_that_goes_nowhere_is_an_info_sentence():
    at = _run()
    at.slider(key="transform_range_shift").set_value((2.0, 2.0)).run()
    assert not at.exception
    assert any("goes nowhere" in i.value for i in at.info)
    assert not at.image and not at.get("plotly_chart")


def test_a_missing_digit_stops_with_a_sentence():
    at = _run({"transform_saved_source": "Upload"})  # nothing uploaded yet
    assert not at.exception
    assert any("No digit yet" in i.value for i in at.info)
    assert not at.image and not at.get("plotly_chart")


def _copy(folder: Path, name: str, *suffixes: str) -> None:
    for suffix in (".json", ".safetensors") + suffixes:
        shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_missing_yardsticks_say_how_to_compute_them(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30", ".latent.json")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.transform --name standard_d30" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_stale_yardsticks_are_a_warning(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30", ".latent.json", ".scales.json")
    path = tmp_path / "standard_d30.scales.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "sha256": "0" * 64}))
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert any("python -m ae_core.transform --name standard_d30" in w.value for w in at.warning)
    assert len(_figures(at)) == 2  # the page still works with the old yardsticks


def test_unreadable_yardsticks_are_an_error_sentence(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30", ".latent.json", ".scales.json")
    (tmp_path / "standard_d30.scales.json").write_text("{not json")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("standard_d30 cannot be used" in e.value and "not readable JSON" in e.value for e in at.error)
    assert not at.image


@pytest.fixture
def session_model(tmp_path) -> dict:
    """A tiny untrained model, offered as if uploaded in this session: no stored map or yardsticks."""
    model = build_model(ModelConfig(code_size=6)).eval()
    checkpoint.save(model, "tiny", {"data": {}, "training": {}, "epochs": 0}, tmp_path)
    return {"uploaded_models": {"tiny": tmp_path}}


def test_a_session_model_gets_its_yardsticks_on_demand(session_model):
    at = _run(session_model)
    assert "tiny" in at.selectbox(key="transform_model").options
    at.selectbox(key="transform_model").set_value("tiny").run()
    distances, latent_map = _figures(at)
    assert "code of tiny (6 numbers)" in distances and len(latent_map["the sweep"]) == 13
    source = load_mnist(train=False).source  # the full test set with AE_DATA_DIR, else the offline stand-in
    caption = next(c.value for c in at.caption if c.value.startswith("Yardsticks"))
    assert f"({source})" in caption and "tiny's code space" in caption


def test_the_bench_result_for_the_default_sweep_is_a_caption():
    import ui.loaders

    stored = ui.loaders.BENCH_RESULTS / "transform.json"  # committed, written by bench/transform.py
    row = json.loads(stored.read_text())["kinds"]["shift"]["models"]["standard_d30"]
    caption = next(c.value for c in _run().caption if c.value.startswith("Over "))
    assert "the default shift sweep (-6.0 px to +6.0 px, 13 frames)" in caption
    assert f"a median {row['ratio']:.2f} times as far" in caption and f"{row['smooth_share']:.0%} of them" in caption


def test_without_the_bench_result_there_is_no_caption(tmp_path, monkeypatch):
    monkeypatch.setattr("ui.loaders.BENCH_RESULTS", tmp_path)
    at = _run()
    assert not at.exception and not any(c.value.startswith("Over ") for c in at.caption)
    (tmp_path / "transform.json").write_text('{"kinds": []}')  # unreadable as results: still no caption, no error
    at = _run()
    assert not at.exception and not any(c.value.startswith("Over ") for c in at.caption)
