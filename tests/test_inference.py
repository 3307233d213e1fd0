"""Inference: shapes and types, interpolation end points, projection keeps known pixels and converges."""

import numpy as np
import pytest
import torch

from ae_core import inference, noise
from ae_core.config import ModelConfig, TrainConfig
from ae_core.models import build_model
from ae_core.train import fit


@pytest.fixture(scope="module")
def trained():
    from tests.conftest import synthetic_digits

    torch.manual_seed(0)
    model = build_model(ModelConfig(code_size=16))
    fit(model, synthetic_digits(256), TrainConfig(epochs=40, batch_size=32, lr=3e-3))
    return model


def test_reconstruct_keeps_kind_and_shape(trained):
    x = np.zeros((28, 28), dtype=np.float32)
    out = inference.reconstruct(trained, x)
    assert isinstance(out, np.ndarray) and out.shape == (28, 28)
    assert inference.reconstruct(trained, torch.zeros(3, 28, 28)).shape == (3, 28, 28)


def test_encode_decode_round_trip(trained):
    x = torch.rand(4, 28, 28) * 2 - 1
    h = inference.encode(trained, x)
    assert h.shape == (4, 16) and inference.encode(trained, x[0]).shape == (16,)
    torch.testing.assert_close(inference.decode(trained, h), inference.reconstruct(trained, x))
    assert inference.decode(trained, h[0].numpy()).shape == (28, 28)


def test_interpolations_start_and_end_at_the_inputs(trained):
    a, b = -torch.ones(28, 28), torch.ones(28, 28)
    pixels = inference.interpolate_pixels(a, b, steps=5)
    assert pixels.shape == (5, 28, 28)
    assert torch.equal(pixels[0], a) and torch.equal(pixels[-1], b) and torch.all(pixels[2] == 0)
    latent = inference.interpolate_latent(trained, a, b, steps=5)
    torch.testing.assert_close(latent[0], inference.reconstruct(trained, a))
    torch.testing.assert_close(latent[-1], inference.reconstruct(trained, b))
    assert inference.interpolate_latent(trained, a, b, steps=1).shape == (1, 28, 28)
    with pytest.raises(ValueError):
        inference.interpolate_pixels(a, b, steps=0)


def test_projection_keeps_known_pixels_and_beats_grey_fill(trained):
    from tests.conftest import synthetic_digits

    clean = synthetic_digits(32, seed=9)
    _, known = noise.mask(clean, p=0.5, seed=0)
    projected = inference.project(trained, clean, known, steps=20)
    assert torch.equal(projected[known], clean[known])
    grey_fill = torch.where(known, clean, torch.zeros_like(clean))
    err = lambda x: (x - clean).pow(2)[~known].mean()  # noqa: E731
    assert err(projected) < 0.5 * err(grey_fill)


def test_projection_never_reads_unknown_pixels(trained):
    clean = torch.rand(28, 28) * 2 - 1
    _, known = noise.mask(clean, p=0.4, seed=1)
    other = torch.where(known, clean, torch.ones_like(clean) * 0.7)
    torch.testing.assert_close(inference.project(trained, clean, known), inference.project(trained, other, known))
