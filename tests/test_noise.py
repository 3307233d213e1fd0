"""Corruptions: the lecture's dropout exactly, the others' masks and values, seeding, shapes and types."""

import numpy as np
import pytest
import torch

from ae_core import noise


@pytest.fixture
def digits():
    return torch.rand(8, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1  # (8, 28, 28)


def test_dropout_matches_the_lecture(digits):
    corrupted, known = noise.dropout(digits, p=0.5, seed=0)
    torch.testing.assert_close(corrupted[known], digits[known] * 2)  # kept pixels are x 1/(1-p)
    assert torch.all(corrupted[~known] == 0)  # dropped pixels are 0, mid-grey in [-1, 1]
    assert 0.45 < known.float().mean() < 0.55


def test_dropout_has_the_same_law_as_nn_dropout():
    torch.manual_seed(0)
    lecture = torch.nn.Dropout(p=0.3)(torch.ones(200, 28, 28))
    ours, _ = noise.dropout(torch.ones(200, 28, 28), p=0.3, seed=0)
    assert set(torch.unique(ours).tolist()) == set(torch.unique(lecture).tolist())  # {0, 1/0.7}
    assert abs((ours == 0).float().mean() - (lecture == 0).float().mean()) < 0.01


def test_dropout_extremes(digits):
    corrupted, known = noise.dropout(digits, p=0.0, seed=0)
    assert torch.equal(corrupted, digits) and known.all()
    corrupted, known = noise.dropout(digits, p=1.0, seed=0)
    assert torch.all(corrupted == 0) and not known.any()  # like nn.Dropout(p=1)
    with pytest.raises(ValueError):
        noise.dropout(digits, p=1.5)


def test_seed_is_per_digit(digits):
    _, batch_known = noise.dropout(digits, p=0.5, seed=10)
    _, one_known = noise.dropout(digits[3], p=0.5, seed=13)
    assert torch.equal(batch_known[3], one_known)  # digit i of a batch uses seed + i
    _, again = noise.dropout(digits, p=0.5, seed=10)
    assert torch.equal(batch_known, again)
    _, other = noise.dropout(digits, p=0.5, seed=11)
    assert not torch.equal(batch_known, other)


def test_generator_draws_reproducibly(digits):
    a = noise.dropout(digits, 0.5, generator=torch.Generator().manual_seed(5))[1]
    b = noise.dropout(digits, 0.5, generator=torch.Generator().manual_seed(5))[1]
    assert torch.equal(a, b)


def test_mask_sets_background_without_rescaling(digits):
    corrupted, known = noise.mask(digits, p=0.3, seed=0)
    assert torch.equal(corrupted[known], digits[known])
    assert torch.all(corrupted[~known] == -1)


def test_patch_is_grey_square_clipped_to_the_image(digits):
    corrupted, known = noise.patch(digits, top=2, left=3, size=5)
    assert (~known).sum() == 8 * 25
    assert torch.all(corrupted[:, 2:7, 3:8] == 0) and known[:, 2:7, 3:8].logical_not().all()
    _, known = noise.patch(digits, top=25, left=25, size=10)  # partly outside: 3x3 inside
    assert (~known[0]).sum() == 9
    corrupted, known = noise.patch(digits, top=40, left=-20, size=5)  # wholly outside
    assert known.all() and torch.equal(corrupted, digits)


def test_random_patch_lies_inside(digits):
    _, known = noise.random_patch(digits, size=6, seed=0)
    assert torch.all((~known).sum(dim=(1, 2)) == 36)


def test_gaussian_noise(digits):
    corrupted, known = noise.gaussian(torch.zeros(50, 28, 28), sigma=0.4, seed=0)
    assert not known.any()
    assert abs(corrupted.std().item() - 0.4) < 0.02 and abs(corrupted.mean().item()) < 0.02
    corrupted, known = noise.gaussian(digits, sigma=0.0, seed=0)
    assert torch.equal(corrupted, digits) and known.all()


def test_given_mask_and_numpy_round_trip(digits):
    painted = np.ones((28, 28), dtype=bool)
    painted[10:12, :] = False
    corrupted, known = noise.given_mask(digits.numpy(), painted)
    assert isinstance(corrupted, np.ndarray) and corrupted.shape == (8, 28, 28)
    assert np.all(corrupted[:, 10:12] == 0) and np.array_equal(corrupted[:, :10], digits.numpy()[:, :10])
    assert known.shape == (8, 28, 28) and known.dtype == bool


def test_one_digit_keeps_its_shape(digits):
    for kind in ("dropout", "mask", "patch", "gaussian"):
        corrupted, known = noise.corrupt(digits[0], kind, 0.3, seed=0)
        assert corrupted.shape == (28, 28) and known.shape == (28, 28) and known.dtype == torch.bool


def test_bad_shapes_and_kinds_raise_value_error(digits):
    with pytest.raises(ValueError):
        noise.dropout(torch.zeros(3, 32, 32), 0.5)
    with pytest.raises(ValueError):
        noise.corrupt(digits, "salt", 0.5)
