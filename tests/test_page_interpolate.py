"""AppTest of the Interpolate page: it runs, and α, N and the model picker change what is shown.

Each picture is sent as a PNG data URL of its pixels, so an image's URL changes exactly when its pixels do:
comparing URLs compares pictures.
"""

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ae_core import checkpoint

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "interpolate.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _images(at: AppTest) -> list[tuple[str, str]]:
    """(caption, URL) of every image on the page, top to bottom: the two frames at α, then both strips."""
    assert not at.exception, at.exception
    return [(caption, url) for image in at.image for caption, url in zip(image.captions, image.value, strict=True)]


def _copy_checkpoints(folder: Path, *names: str) -> None:
    for name in names:
        for suffix in (".json", ".safetensors"):
            shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_default_walk_from_a_7_to_a_3_with_the_standard_model():
    at = _run()
    images = _images(at)
    assert at.title[0].value == "Interpolate"
    assert "A: test digit 7 #0 · B: test digit 3 #0" in [c.value for c in at.caption]
    assert at.selectbox(key="interp_model").value == "standard_d30"
    assert [c for c, _ in images[:2]] == ["pixel space, α=0.50", "latent space (standard_d30), α=0.50"]
    assert len(images) == 2 + 2 * 8
    assert [c for c, _ in images[2:10]] == [f"α={k / 7:.2f}" for k in range(8)]
    assert images[0][1] != images[1][1]  # the blend and the decode are different pictures
    assert any("dog" in m.value for m in at.markdown)  # the note on why the latent walk stays on the manifold


def test_moving_alpha_changes_both_frames_and_not_the_strips():
    at = _run()
    before = _images(at)
    at.slider(key="interp_alpha").set_value(0.2).run()
    after = _images(at)
    assert [c for c, _ in after[:2]] == ["pixel space, α=0.20", "latent space (standard_d30), α=0.20"]
    assert after[0][1] != before[0][1] and after[1][1] != before[1][1]
    assert after[2:] == before[2:]
    at.slider(key="interp_alpha").set_value(0.5).run()
    assert _images(at) == before  # the frames depend on α alone


def test_alpha_at_the_ends_shows_a_and_b_in_pixel_space():
    at = _run()
    at.slider(key="interp_alpha").set_value(0.0).run()
    at_a = _images(at)[0][1]
    at.slider(key="interp_alpha").set_value(1.0).run()
    at_b = _images(at)[0][1]
    assert at_a != at_b
    at.selectbox(key="interp_b_class").set_value(7).run()  # B becomes the same digit as A
    assert _images(at)[0][1] == at_a


def test_changing_n_changes_the_number_of_strip_images():
    at = _run()
    at.slider(key="interp_steps").set_value(3).run()
    images = _images(at)
    assert len(images) == 2 + 2 * 3
    assert [c for c, _ in images[2:]] == ["α=0.00", "α=0.50", "α=1.00"] * 2
    at.slider(key="interp_steps").set_value(16).run()
    assert len(_images(at)) == 2 + 2 * 16


def test_model_picker_changes_the_latent_decode_only():
    at = _run()
    before = _images(at)
    at.selectbox(key="interp_model").set_value("denoising_d500").run()
    after = _images(at)
    assert after[1][0] == "latent space (denoising_d500), α=0.50" and after[1][1] != before[1][1]
    assert after[0] == before[0]  # the pixel blend does not involve a model
    assert after[2:10] == before[2:10] and after[10:] != before[10:]  # pixel strip same, latent strip not


def test_model_picker_offers_only_models_with_a_code():
    options = _run().selectbox(key="interp_model").options
    assert "standard_d30" in options and "conv_d30" in options
    assert "repair_unet" not in options


def test_a_missing_digit_stops_with_a_sentence():
    at = _run({"interp_a_saved_source": "Upload"})  # nothing uploaded yet
    assert not at.exception
    assert any("Choose both digits" in i.value for i in at.info)
    assert not at.image and "interp_model" not in [s.key for s in at.selectbox]


def test_a_corrupt_checkpoint_is_an_error_sentence(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "standard_d30")
    (tmp_path / "standard_d30.safetensors").write_bytes(b"not the weights")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("standard_d30 cannot be used" in e.value and "sha256" in e.value for e in at.error)
    assert not at.image


def test_no_model_with_a_code_says_how_to_train(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "repair_unet")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.train" in i.value for i in at.info)
    assert not at.image
