"""Tests for ae_core.baselines: classical inpainting (Telea, Navier-Stokes, biharmonic) and PCA."""

import itertools

import numpy as np
import pytest
import torch
from skimage import restoration

from ae_core.baselines import (
    PCA,
    fit_pca,
    inpaint_biharmonic,
    inpaint_navier_stokes,
    inpaint_telea,
    pca_reconstruct,
)

INPAINTERS = [inpaint_telea, inpaint_navier_stokes, inpaint_biharmonic]
QUANTUM = 2 / 255  # one uint8 level in [-1, 1]


def _ring() -> np.ndarray:
    """A digit-like ring of ink on the background, (28, 28) in [-1, 1]."""
    yy, xx = np.mgrid[:28, :28]
    r = np.hypot(yy - 13.5, xx - 13.5)
    return np.where((r > 6) & (r < 10), 1.0, -1.0).astype(np.float32)


def _random_mask(shape, p=0.5, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape) >= p  # True = known


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_known_pixels_are_kept(inpaint):
    image = np.random.default_rng(1).uniform(-1, 1, (28, 28)).astype(np.float32)
    known = _random_mask((28, 28))
    out = inpaint(image, known)
    assert out.shape == (28, 28) and out.dtype == np.float32
    np.testing.assert_array_equal(out[known], image[known])
    assert np.isfinite(out).all() and out.min() >= -1.0 and out.max() <= 1.0


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_constant_image_hole_is_filled_with_the_constant(inpaint):
    image = np.full((28, 28), 0.3, dtype=np.float32)
    known = np.ones((28, 28), dtype=bool)
    known[10:16, 10:16] = False
    out = inpaint(image, known)
    np.testing.assert_allclose(out[~known], 0.3, atol=3 * QUANTUM)


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_gradient_hole_is_filled_close_to_the_gradient(inpaint):
    image = np.tile(np.linspace(-1, 1, 28, dtype=np.float32), (28, 1))  # left to right
    known = np.ones((28, 28), dtype=bool)
    known[10:16, 11:17] = False
    out = inpaint(image, known)
    error = np.abs(out - image)[~known]
    assert error.mean() < 0.08 and error.max() < 0.15
    # The fill stays between the known columns either side of the hole (Telea overshoots a few levels).
    assert out[10:16, 11:17].min() >= image[0, 10] - 0.05
    assert out[10:16, 11:17].max() <= image[0, 17] + 0.05


def test_navier_stokes_fills_a_gradient_monotonically():
    image = np.tile(np.linspace(-1, 1, 28, dtype=np.float32), (28, 1))
    known = np.ones((28, 28), dtype=bool)
    known[10:16, 11:17] = False
    out = inpaint_navier_stokes(image, known)
    assert np.all(np.diff(out[10:16, 10:18], axis=1) >= 0)


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_what_lies_under_the_mask_does_not_leak(inpaint):
    clean = _ring()
    known = _random_mask((28, 28), seed=2)
    other = np.where(known, clean, np.random.default_rng(3).uniform(-3, 3, (28, 28))).astype(np.float32)
    np.testing.assert_array_equal(inpaint(clean, known), inpaint(other, known))


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_batch_equals_per_digit_and_torch_in_torch_out(inpaint):
    batch = np.stack([_ring(), -_ring(), np.roll(_ring(), 3, axis=1)])  # (3, 28, 28)
    known = _random_mask(batch.shape, seed=4)
    out = inpaint(batch, known)
    assert isinstance(out, np.ndarray) and out.shape == (3, 28, 28)
    for i in range(3):
        np.testing.assert_array_equal(out[i], inpaint(batch[i], known[i]))
    out_t = inpaint(torch.from_numpy(batch), torch.from_numpy(known))
    assert isinstance(out_t, torch.Tensor) and out_t.dtype == torch.float32 and out_t.shape == (3, 28, 28)
    np.testing.assert_array_equal(out_t.numpy(), out)


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_repair_of_dropped_pixels_beats_leaving_them_grey(inpaint):
    clean = _ring()
    known = _random_mask((28, 28), p=0.5, seed=5)
    out = inpaint(clean, known)
    grey_error = np.mean(clean[~known] ** 2)  # the lecture's dropped pixels are 0
    assert np.mean((out - clean)[~known] ** 2) < 0.5 * grey_error


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_nothing_unknown_returns_the_input(inpaint):
    image = np.random.default_rng(6).uniform(-1, 1, (2, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(inpaint(image, np.ones(image.shape, dtype=bool)), image)


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_nothing_known_gives_background(inpaint):
    image = np.stack([_ring(), _ring()])
    known = np.ones(image.shape, dtype=bool)
    known[1] = False
    out = inpaint(image, known)
    np.testing.assert_array_equal(out[1], np.full((28, 28), -1.0, dtype=np.float32))
    np.testing.assert_array_equal(out[0], image[0])


@pytest.mark.parametrize("inpaint", INPAINTERS)
def test_bad_inpaint_input_raises(inpaint):
    with pytest.raises(ValueError, match="same shape"):
        inpaint(np.zeros((2, 28, 28)), np.ones((28, 28), dtype=bool))


@pytest.mark.parametrize("inpaint", [inpaint_telea, inpaint_navier_stokes])
def test_bad_opencv_radius_raises(inpaint):
    with pytest.raises(ValueError, match="radius"):
        inpaint(np.zeros((28, 28)), np.ones((28, 28), dtype=bool), radius=0)


def test_biharmonic_fills_every_hole_of_a_heavily_damaged_digit_with_finite_values():
    known = _random_mask((28, 28), p=0.9, seed=8)
    out = inpaint_biharmonic(_ring(), known)
    assert np.isfinite(out).all() and np.abs(out).max() <= 1.0
    assert np.any(out[~known] != 0.0)  # the holes are filled, not left as the zeros the fill never reads


@pytest.mark.parametrize("p", [0.02, 0.3, 0.7, 0.95])
def test_biharmonic_is_scikit_images_inpaint_biharmonic(p):
    rng = np.random.default_rng(int(p * 100))
    for _ in range(5):
        image = rng.uniform(-1, 1, (28, 28))
        holes = rng.random((28, 28)) < p
        expected = restoration.inpaint_biharmonic(np.where(holes, 0.0, image), holes)
        np.testing.assert_allclose(inpaint_biharmonic(image.astype(np.float32), ~holes), expected, atol=1e-6)


def test_biharmonic_beats_navier_stokes_on_a_smooth_image():
    yy, xx = np.mgrid[:28, :28] / 27.0
    smooth = (0.8 * np.sin(3 * xx + 1) * np.cos(2 * yy) - 0.1).astype(np.float32)  # (28, 28) in [-1, 1]
    errors = {}
    for inpaint in (inpaint_biharmonic, inpaint_navier_stokes):
        mses = [np.mean((inpaint(smooth, known) - smooth)[~known] ** 2)
                for known in (_random_mask((28, 28), p=p, seed=seed) for p in (0.3, 0.7) for seed in (0, 1))]
        errors[inpaint.__name__] = np.mean(mses)
    assert errors["inpaint_biharmonic"] < 0.5 * errors["inpaint_navier_stokes"], errors


def _low_rank_digits(n=20, rank=3, seed=0) -> np.ndarray:
    """n images in [-1, 1] that are a mean image plus combinations of `rank` fixed images."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(-0.5, 0.5, 784)
    basis = rng.uniform(-0.15, 0.15, (rank, 784))
    coefficients = rng.uniform(-1, 1, (n, rank))
    return (mean + coefficients @ basis).reshape(n, 28, 28).astype(np.float32)  # (n, 28, 28)


def test_pca_with_k_equal_to_rank_is_exact():
    images = _low_rank_digits(rank=3)
    pca = fit_pca(images, 3)
    assert isinstance(pca, PCA)
    assert pca.mean.shape == (784,) and pca.components.shape == (3, 784)
    np.testing.assert_allclose(pca_reconstruct(pca, images), images, atol=1e-5)
    assert np.abs(pca_reconstruct(fit_pca(images, 2), images) - images).max() > 1e-2


def test_pca_components_are_orthonormal_and_deterministic():
    images = np.random.default_rng(1).uniform(-1, 1, (40, 28, 28)).astype(np.float32)
    pca = fit_pca(torch.from_numpy(images), 10)
    assert pca.components.dtype == torch.float32
    torch.testing.assert_close(pca.components @ pca.components.T, torch.eye(10), atol=1e-5, rtol=0)
    largest = pca.components.gather(1, pca.components.abs().argmax(dim=1, keepdim=True))  # (10, 1)
    assert torch.all(largest > 0)  # sign convention: each component's largest entry is positive
    again = fit_pca(images, 10)
    assert torch.equal(pca.components, again.components) and torch.equal(pca.mean, again.mean)


def test_pca_first_component_is_the_dominant_direction():
    rng = np.random.default_rng(2)
    direction = rng.normal(size=784)
    direction /= np.linalg.norm(direction)
    images = (0.3 * rng.uniform(-1, 1, (50, 1)) * direction * 10 + 0.01 * rng.normal(size=(50, 784)))
    pca = fit_pca(images.reshape(50, 28, 28).clip(-1, 1), 2)
    assert abs(float(pca.components[0].double() @ torch.from_numpy(direction))) > 0.99
    first = pca.components[0]
    assert first[first.abs().argmax()] > 0  # sign convention


def test_pca_error_decreases_as_k_grows():
    images = np.random.default_rng(3).uniform(-0.3, 0.3, (50, 28, 28)).astype(np.float32)
    errors = [np.mean((pca_reconstruct(fit_pca(images, k), images) - images) ** 2) for k in (1, 2, 5, 10, 25)]
    assert all(a > b for a, b in itertools.pairwise(errors))


def test_pca_reconstruct_keeps_kind_and_shape():
    images = _low_rank_digits()
    pca = fit_pca(images, 3)
    one = pca_reconstruct(pca, images[0])
    assert isinstance(one, np.ndarray) and one.shape == (28, 28) and one.dtype == np.float32
    batch = pca_reconstruct(pca, torch.from_numpy(images))
    assert isinstance(batch, torch.Tensor) and batch.shape == (20, 28, 28)
    np.testing.assert_allclose(batch[0].numpy(), one, atol=1e-6)
    far = pca_reconstruct(pca, np.full((28, 28), 50.0))  # far outside the data: clipped
    assert far.max() <= 1.0 and far.min() >= -1.0


@pytest.mark.parametrize("k", [0, -1, 785])
def test_pca_bad_k_raises(k):
    with pytest.raises(ValueError, match="between 1 and 784"):
        fit_pca(_low_rank_digits(), k)


def test_pca_more_components_than_digits_raises():
    with pytest.raises(ValueError, match="number of training digits"):
        fit_pca(_low_rank_digits(n=5), 6)
