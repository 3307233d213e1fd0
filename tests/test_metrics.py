"""Tests for ae_core.metrics: the one measuring convention (PSNR / SSIM / MSE on [0, 1] pixels)."""

import warnings

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from ae_core import metrics
from ae_core.metrics import METRIC_INFO, evaluate, mse, psnr, ssim


def _digits(b=3, low=-1.0, high=1.0, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, (b, 28, 28)).astype(np.float32)  # (B, 28, 28)


def test_identical_images_are_perfect():
    clean = _digits()
    np.testing.assert_array_equal(mse(clean, clean), np.zeros(3))
    np.testing.assert_allclose(psnr(clean, clean), np.full(3, 100.0))
    np.testing.assert_allclose(ssim(clean, clean), np.ones(3))
    assert psnr(clean, clean).dtype == np.float64


def test_single_digit_counts_as_batch_of_one():
    clean = _digits(1)[0]  # (28, 28)
    assert mse(clean, clean).shape == (1,)
    assert psnr(clean, clean).shape == (1,)
    assert ssim(clean, clean).shape == (1,)


def test_constant_offset_hand_computed():
    clean = _digits(low=-1.0, high=0.8)
    output = clean + 0.2  # 0.1 on [0, 1] pixels: mse 0.01, psnr 20 dB
    np.testing.assert_allclose(mse(clean, output), np.full(3, 0.01), rtol=1e-5)
    np.testing.assert_allclose(psnr(clean, output), np.full(3, 20.0), rtol=1e-5)
    assert np.all(ssim(clean, output) < 1.0)


def test_outputs_are_clipped_to_the_model_range():
    ink, background = np.ones((28, 28)), -np.ones((28, 28))
    assert psnr(ink, ink * 3.0)[0] == pytest.approx(100.0)
    assert mse(background, background * 5.0)[0] == 0.0
    # 2.0 clips to 1.0, which is 1.0 on [0, 1], against 0.5 for a mid-grey clean pixel.
    assert mse(np.zeros((28, 28)), np.full((28, 28), 2.0))[0] == pytest.approx(0.25)


def test_region_restricts_the_figure():
    clean = _digits(1, low=-1.0, high=0.5)[0]
    region = np.zeros((28, 28), dtype=bool)
    region[:7, :7] = True  # 49 of 784 pixels
    output = np.where(region, clean + 0.4, clean)  # 0.2 on [0, 1] inside the region only
    assert mse(clean, output, region)[0] == pytest.approx(0.04, rel=1e-5)
    assert psnr(clean, output, region)[0] == pytest.approx(10 * np.log10(1 / 0.04), rel=1e-5)
    assert mse(clean, output, ~region)[0] == 0.0
    assert psnr(clean, output, ~region)[0] == pytest.approx(100.0)
    assert mse(clean, output)[0] == pytest.approx(0.04 * 49 / 784, rel=1e-5)
    # SSIM looks at 7x7 windows: far from the damage the map is exactly 1, on it clearly less.
    far = np.zeros((28, 28), dtype=bool)
    far[20:, 20:] = True
    assert ssim(clean, output, far)[0] == pytest.approx(1.0)
    assert ssim(clean, output, region)[0] < ssim(clean, output)[0] < 1.0


def test_full_region_matches_no_region_for_mse_and_psnr():
    clean, output = _digits(seed=1), _digits(seed=2)
    everywhere = np.ones(clean.shape, dtype=bool)
    np.testing.assert_allclose(mse(clean, output, everywhere), mse(clean, output))
    np.testing.assert_allclose(psnr(clean, output, everywhere), psnr(clean, output))


def test_ssim_without_region_is_scikit_image_on_01_pixels():
    clean, output = _digits(seed=3), _digits(seed=4)
    expected = [structural_similarity((c + 1) / 2, (o + 1) / 2, data_range=1.0)
                for c, o in zip(clean.astype(np.float64), output.astype(np.float64), strict=True)]
    np.testing.assert_allclose(ssim(clean, output), expected, rtol=0, atol=1e-12)


def test_ssim_map_over_a_region_is_scikit_image_full_map():
    clean, output = _digits(seed=10), _digits(seed=11)
    region = np.random.default_rng(12).random(clean.shape) < 0.3
    expected = [structural_similarity((c + 1) / 2, (o + 1) / 2, data_range=1.0, full=True)[1][r].mean()
                for c, o, r in zip(clean.astype(np.float64), output.astype(np.float64), region, strict=True)]
    np.testing.assert_allclose(ssim(clean, output, region), expected, rtol=0, atol=1e-12)


def test_torch_and_numpy_give_the_same_numbers():
    clean, output = _digits(seed=5), _digits(seed=6)
    region = np.random.default_rng(7).random((3, 28, 28)) < 0.5
    for f in (mse, psnr, ssim):
        np.testing.assert_allclose(f(torch.from_numpy(clean), torch.from_numpy(output), torch.from_numpy(region)),
                                   f(clean, output, region), rtol=1e-6)
    assert evaluate(torch.from_numpy(clean), torch.from_numpy(output), torch.from_numpy(region)) == \
        pytest.approx(evaluate(clean, output, region))


def test_empty_region_gives_nan_for_that_image_only():
    clean, output = _digits(2, seed=8), _digits(2, seed=9)
    region = np.zeros((2, 28, 28), dtype=bool)
    region[1, 5:10, 5:10] = True
    for f in (mse, psnr, ssim):
        values = f(clean, output, region)
        assert np.isnan(values[0]) and np.isfinite(values[1])


def test_evaluate_keys_and_values():
    clean = _digits(2, low=-1.0, high=0.8, seed=10)
    known = np.ones((2, 28, 28), dtype=bool)
    known[:, 10:20, 10:20] = False  # 100 repaired pixels per digit
    output = np.where(known, clean, clean + 0.2)  # 0.1 on [0, 1] on the repaired pixels only
    result = evaluate(clean, output, known)
    assert list(result) == ["psnr", "ssim", "mse", "psnr_repaired", "ssim_repaired", "mse_repaired"]
    assert set(result) == set(METRIC_INFO)
    assert all(isinstance(v, float) for v in result.values())
    assert result["mse_repaired"] == pytest.approx(0.01, rel=1e-5)
    assert result["psnr_repaired"] == pytest.approx(20.0, rel=1e-5)
    assert result["mse"] == pytest.approx(0.01 * 100 / 784, rel=1e-5)
    assert result["psnr"] == pytest.approx(float(np.mean(psnr(clean, output))))
    assert result["ssim"] == pytest.approx(float(np.mean(ssim(clean, output))))
    assert result["ssim_repaired"] == pytest.approx(float(np.mean(ssim(clean, output, ~known))))
    assert result["ssim_repaired"] < result["ssim"] < 1.0


def test_evaluate_averages_psnr_per_image():
    clean = np.full((2, 28, 28), -0.5, dtype=np.float32)
    output = clean + np.array([0.2, 0.02], dtype=np.float32)[:, None, None]  # 20 dB and 40 dB
    known = np.zeros((2, 28, 28), dtype=bool)
    assert evaluate(clean, output, known)["psnr"] == pytest.approx(30.0, rel=1e-4)


def test_evaluate_with_nothing_repaired():
    clean = _digits(seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = evaluate(clean, clean, np.ones(clean.shape, dtype=bool))
    assert result["psnr"] == pytest.approx(100.0) and result["mse"] == 0.0
    assert all(np.isnan(result[k]) for k in ("psnr_repaired", "ssim_repaired", "mse_repaired"))


def test_evaluate_skips_images_with_nothing_repaired():
    clean = _digits(2, low=-1.0, high=0.8, seed=12)
    output = clean + 0.2
    known = np.ones((2, 28, 28), dtype=bool)
    known[1, :5, :5] = False
    assert evaluate(clean, output, known)["mse_repaired"] == pytest.approx(0.01, rel=1e-5)


@pytest.mark.parametrize("f", [mse, psnr, ssim])
def test_mismatched_shapes_raise(f):
    with pytest.raises(ValueError, match="same shape"):
        f(np.zeros((2, 28, 28)), np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match="same shape"):
        f(np.zeros((28, 28)), np.zeros((28, 28)), np.ones((1, 28, 28), dtype=bool))
    with pytest.raises(ValueError):
        f(np.zeros((2, 27, 27)), np.zeros((2, 27, 27)))


def test_evaluate_mismatched_mask_raises():
    with pytest.raises(ValueError, match="same shape"):
        evaluate(np.zeros((2, 28, 28)), np.zeros((2, 28, 28)), np.ones((28, 28), dtype=bool))


def test_metric_info_is_one_line_per_key():
    assert all(isinstance(v, str) and v and "\n" not in v for v in METRIC_INFO.values())


def test_per_image_scores_a_stack_of_outputs_as_evaluate_scores_each():
    rng = np.random.default_rng(5)
    clean = rng.uniform(-1, 1, (1, 28, 28)).astype(np.float32)
    outputs = np.clip(clean + rng.normal(0, 0.3, (4, 28, 28)), -1, 1).astype(np.float32)  # (4, 28, 28)
    known = rng.random((1, 28, 28)) > 0.5
    stacked = metrics.per_image(np.repeat(clean, 4, axis=0), outputs, np.repeat(known, 4, axis=0))
    for i in range(4):
        one = metrics.evaluate(clean, outputs[i:i + 1], known)
        assert {k: float(v[i]) for k, v in stacked.items()} == pytest.approx(one, rel=1e-12)
