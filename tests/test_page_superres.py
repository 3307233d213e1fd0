"""AppTest of the Super-resolution page: it runs, the size and both model pickers change what is shown,
and missing models are said in a sentence. Image URLs hash the pixels, so comparing URLs compares pictures."""

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ae_core import checkpoint

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "superres.py")
METHODS = ["nearest", "bicubic", "superres_resunet", "projection: conv_d30"]


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _images(at: AppTest) -> dict[str, str]:
    """{caption: URL} of every image on the page."""
    assert not at.exception, at.exception
    return {caption: url for image in at.image for caption, url in zip(image.captions, image.value, strict=True)}


def test_default_compares_four_ways_back_from_7x7():
    at = _run()
    images = _images(at)
    assert list(images) == ["original", "nearest (the 7×7 input)", *METHODS[1:]]
    assert len(set(images.values())) == 5  # five different pictures
    table = at.dataframe[0].value
    assert list(table.index) == METHODS and list(table.columns) == ["psnr", "ssim"]
    assert table.loc["superres_resunet", "psnr"] > table.loc["bicubic", "psnr"]
    assert any("Best on this digit: superres_resunet" in m.value for m in at.markdown)


def test_the_size_changes_every_enlargement_but_not_the_original():
    at = _run()
    before = _images(at)
    at.segmented_control(key="superres_factor").set_value(2).run()
    after = _images(at)
    assert "nearest (the 14×14 input)" in after and after["original"] == before["original"]
    assert all(after[m] != before[m] for m in METHODS[1:])
    table = at.dataframe[0].value
    assert table.loc["bicubic", "psnr"] > 17  # a 14x14 digit is far easier to enlarge than a 7x7 one


def test_the_projection_model_changes_only_its_own_picture():
    at = _run()
    before = _images(at)
    at.selectbox(key="superres_projection").set_value("standard_d30").run()
    after = _images(at)
    assert "projection: standard_d30" in after and "projection: conv_d30" not in after
    assert after["projection: standard_d30"] != before["projection: conv_d30"]
    assert {k: v for k, v in after.items() if not k.startswith("projection")} == \
        {k: v for k, v in before.items() if not k.startswith("projection")}


def test_the_stored_test_set_figures_are_quoted():
    at = _run()
    assert any("bicubic" in i.value and "dB" in i.value and "test digits" in i.value for i in at.info)


def test_without_a_super_resolution_model_it_says_how_to_train_one(tmp_path, monkeypatch):
    for suffix in (".json", ".safetensors"):
        shutil.copy(checkpoint.default_dir() / f"standard_d30{suffix}", tmp_path)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    images = _images(at)
    assert any("--noise downsample" in i.value for i in at.info)
    assert list(images)[2:] == ["bicubic", "projection: standard_d30"]


def test_a_missing_digit_stops_with_a_sentence():
    at = _run({"superres_saved_source": "Upload"})
    assert not at.exception and not at.image
    assert any("No digit yet" in i.value for i in at.info)


def test_a_model_whose_training_diverged_is_left_out_with_a_warning(tmp_path, monkeypatch):
    """NaN weights load (valid safetensors) but enlarge into NaN: the page says so and scores the rest."""
    import torch

    from ae_core.config import ModelConfig
    from ae_core.models import build_model

    for suffix in (".json", ".safetensors"):
        shutil.copy(checkpoint.default_dir() / f"superres_resunet{suffix}", tmp_path)
    diverged = build_model(ModelConfig(code_size=3))
    with torch.no_grad():
        diverged.encoder.weight.fill_(float("nan"))
    checkpoint.save(diverged, "diverged", {"data": {}, "training": {"noise": "none"}, "epochs": 1}, folder=tmp_path)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert any(w.value.startswith("projection: diverged: the model's output is not finite") for w in at.warning)
    assert list(at.dataframe[0].value.index) == METHODS[:3]
