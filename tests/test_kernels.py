"""ae_core.kernels on synthetic digits and kernels whose answers are known by construction."""

import numpy as np
import pytest
import torch

from ae_core import kernels


def _region_left_half() -> np.ndarray:
    region = np.zeros((28, 28), dtype=bool)
    region[:, :14] = True  # (28, 28): the left half is "where digits have ink"
    return region


def test_digit_region_counts_a_pixel_once_enough_digits_have_ink_there():
    images = -np.ones((100, 28, 28), dtype=np.float32)  # 100 blank digits
    images[0, 5, 5] = 1.0  # ink in 1% of the digits
    images[:3, 6, 6] = 0.0  # in 3%
    images[:50, 7, 7] = -0.5  # exactly at the threshold: not ink
    region = kernels.digit_region(images)
    assert region.shape == (28, 28) and region.dtype == bool
    assert set(zip(*np.nonzero(region), strict=True)) == {(5, 5), (6, 6)}
    assert set(zip(*np.nonzero(kernels.digit_region(images, min_fraction=0.02)), strict=True)) == {(6, 6)}
    assert kernels.digit_region(torch.from_numpy(images), ink=-0.6)[7, 7]  # torch in, lower threshold


def test_digit_region_rejects_what_is_not_a_batch():
    with pytest.raises(ValueError, match="non-empty batch"):
        kernels.digit_region(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="non-empty batch"):
        kernels.digit_region(np.zeros((0, 28, 28)))


def test_energy_outside_is_0_inside_1_outside_and_the_area_share_when_even():
    region = _region_left_half()
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 28, 28))
    assert kernels.energy_outside(np.where(region, w, 0.0), region) == 0.0
    assert kernels.energy_outside(np.where(region, 0.0, w), region) == 1.0
    assert kernels.energy_outside(np.ones((3, 28, 28)), region) == pytest.approx(0.5)
    assert kernels.energy_outside(torch.zeros(2, 28, 28), region) == 0.0  # nothing to share
    w[:, region] = 1.0
    w[:, ~region] = 2.0  # w^2: 4 outside, 1 inside, equal areas
    assert kernels.energy_outside(torch.from_numpy(w), region) == pytest.approx(0.8)


def test_mean_abs_is_taken_outside_and_inside_separately():
    region = _region_left_half()
    w = np.where(region, -0.3, 0.1)[None].repeat(4, axis=0)  # (4, 28, 28)
    outside, inside = kernels.mean_abs(w, region)
    assert outside == pytest.approx(0.1) and inside == pytest.approx(0.3)
    outside, inside = kernels.mean_abs(w, np.ones((28, 28), dtype=bool))  # no pixel outside
    assert np.isnan(outside) and inside == pytest.approx(0.2)


def test_by_norm_puts_the_largest_first_and_keeps_ties_in_index_order():
    w = np.zeros((4, 28, 28))
    w[0, 0, 0], w[1, 3, 3], w[2, 5, 5], w[3, 7, 7] = 1.0, -3.0, 2.0, 2.0
    assert kernels.by_norm(w).tolist() == [1, 2, 3, 0]
    with pytest.raises(ValueError, match="kernels"):
        kernels.by_norm(np.zeros((28, 28)))


def test_tile_lays_kernels_out_with_nan_gutters_and_labels():
    w = np.arange(13, dtype=float)[:, None, None] * np.ones((13, 28, 28))  # kernel i is all i
    image, label = kernels.tile(w, labels=np.arange(100, 113), per_row=5)
    assert image.shape == label.shape == (3 * 29 - 1, 5 * 29 - 1)
    assert (image[:28, :28] == 0).all() and (label[:28, :28] == 100).all()
    assert (image[29:57, 29:57] == 6).all() and (label[29:57, 29:57] == 106).all()  # row 1, column 1
    assert np.isnan(image[28]).all() and np.isnan(image[:, 28]).all() and (label[28] == -1).all()
    assert np.isnan(image[58:, 3 * 29:]).all() and (label[58:, 3 * 29:] == -1).all()  # the empty cells
    assert kernels.tile(w[:3], per_row=10)[0].shape == (28, 3 * 29 - 1)  # fewer than a row: one short row
    assert kernels.tile(w[:3])[1][0, 29] == 1  # default labels 0..n-1


def test_tile_rejects_nothing_to_show_and_mismatched_labels():
    with pytest.raises(ValueError, match="at least one kernel"):
        kernels.tile(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="one label per kernel"):
        kernels.tile(np.zeros((3, 28, 28)), labels=[0, 1])
