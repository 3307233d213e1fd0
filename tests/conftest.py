"""Shared fixtures: tiny synthetic digits, the real MNIST test set when AE_DATA_DIR points at it."""

import pytest
import torch

from ae_core.data import data_dir, load_mnist

# The browser fixtures live in tests/browser.py; importing them here shares them with every test module.
from tests.browser import app_server, browser_page, chromium_browser, playwright_sync  # noqa: F401


def synthetic_digits(n: int = 64, seed: int = 0) -> torch.Tensor:
    """(n, 28, 28) blocky strokes in [-1, 1]: a structured set small models learn in a second."""
    g = torch.Generator().manual_seed(seed)
    images = -torch.ones(n, 28, 28)
    for i in range(n):
        top, left = torch.randint(4, 14, (2,), generator=g).tolist()
        if i % 2:
            images[i, top:top + 10, left:left + 3] = 1.0  # a vertical bar
        else:
            images[i, top:top + 3, left:left + 10] = 1.0  # a horizontal bar
    return images


@pytest.fixture
def tiny_digits() -> torch.Tensor:
    return synthetic_digits()


@pytest.fixture(scope="session")
def mnist_test():
    """The full MNIST test set; skipped unless AE_DATA_DIR names the folder (CI sets it)."""
    if data_dir() is None:
        pytest.skip("AE_DATA_DIR is not set: tests on the real MNIST set are skipped")
    digits = load_mnist(train=False)
    if digits.source != "mnist":
        pytest.skip(f"AE_DATA_DIR={data_dir()} holds no MNIST: {digits.note}")
    return digits

