"""Configs build the right models; shapes, the lecture's architecture, tied weights, kernels."""

import pytest
import torch

from ae_core import noise
from ae_core.config import ModelConfig, TrainConfig, from_dict
from ae_core.models import (
    ConvAE,
    LinearAE,
    RepairUNet,
    ResidualUNet,
    apply,
    build_model,
    encoder_kernels,
    has_code,
)


def test_linear_ae_is_the_lecture_architecture():
    model = build_model(ModelConfig(code_size=30))
    assert isinstance(model, LinearAE)
    assert model.encoder.weight.shape == (30, 784) and model.decoder.weight.shape == (784, 30)
    x = torch.rand(5, 28, 28) * 2 - 1
    h = model.encode(x)
    assert h.shape == (5, 30) and h.abs().max() <= 1  # tanh after the encoder
    out = model(x)
    assert out.shape == (5, 28, 28) and out.abs().max() <= 1  # tanh after the decoder
    expected = torch.tanh(model.decoder(torch.tanh(model.encoder(x.reshape(5, 784))))).reshape(5, 28, 28)
    torch.testing.assert_close(out, expected)


def test_tied_weights_share_the_encoder_matrix():
    model = build_model(ModelConfig(code_size=12, tied=True))
    assert not hasattr(model, "decoder")
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 12 * 784 + 12 + 784  # W_h, b_h, b_x: no separate W_x
    model.encoder.weight.data.zero_()
    assert torch.all(model(torch.ones(2, 28, 28)) == 0)  # decoder sees W_h^T = 0 and a zero bias


def test_conv_ae_shapes():
    model = build_model(ModelConfig(arch="conv", code_size=16, channels=4))
    assert isinstance(model, ConvAE)
    x = torch.rand(3, 28, 28) * 2 - 1
    assert model.encode(x).shape == (3, 16)
    assert model(x).shape == (3, 28, 28)
    with pytest.raises(ValueError, match="linear"):
        encoder_kernels(model)


@pytest.mark.parametrize("arch, cls", [("unet", RepairUNet), ("resunet", ResidualUNet)])
def test_unet_is_a_mask_aware_repairer_without_a_code(arch, cls):
    torch.manual_seed(0)
    model = build_model(ModelConfig(arch=arch, channels=8))
    assert isinstance(model, cls) and model.uses_mask and not has_code(model)
    assert has_code(build_model(ModelConfig())) and has_code(build_model(ModelConfig(arch="conv", channels=4)))
    x = torch.rand(3, 28, 28) * 2 - 1
    known = torch.rand(3, 28, 28) > 0.5
    out = apply(model, x, known)
    assert out.shape == (3, 28, 28) and out.abs().max() <= 1
    torch.testing.assert_close(out[known], x[known])  # known pixels come back as given
    assert not torch.equal(out, apply(model, x, ~known))  # the mask is an input
    torch.testing.assert_close(model(x), model(x, torch.ones_like(known)))  # no mask: all known


@pytest.mark.parametrize("arch", ["unet", "resunet"])
def test_unet_undoes_the_lecture_dropout_scaling(arch):
    """Kept pixels are x / (1 - p); the U-Net's input normalisation makes the output independent of p."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(arch=arch, channels=8))
    clean = -torch.ones(2, 28, 28)
    clean[:, 8:20, 12:16] = 1.0  # a stroke on a background at -1, as every MNIST digit has
    scaled, known = noise.dropout(clean, 0.6, seed=3)
    unscaled = torch.where(known, clean, torch.zeros_like(clean))
    torch.testing.assert_close(model(scaled, known), model(unscaled, known))


def test_residual_unet_repairs_one_digit_as_it_repairs_it_in_a_batch():
    """GroupNorm uses each digit's own statistics, so a batch of one (the Repair page) gives the same repair."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(arch="resunet", channels=8)).eval()
    x = torch.rand(4, 28, 28) * 2 - 1
    known = torch.rand(4, 28, 28) > 0.5
    with torch.no_grad():
        torch.testing.assert_close(model(x[2:3], known[2:3]), model(x, known)[2:3], atol=1e-5, rtol=0)


def test_kernels_are_encoder_rows():
    model = build_model(ModelConfig(code_size=7))
    kernels = encoder_kernels(model)
    assert kernels.shape == (7, 28, 28)
    torch.testing.assert_close(kernels[3].flatten(), model.encoder.weight[3])


@pytest.mark.parametrize("bad", [dict(arch="mlp"), dict(code_size=0), dict(arch="conv", tied=True)])
def test_bad_model_config_raises_value_error(bad):
    with pytest.raises(ValueError):
        ModelConfig(**bad)


@pytest.mark.parametrize("bad", [dict(loss="l1"), dict(noise="salt"), dict(epochs=0), dict(p=0.5, p_max=0.2)])
def test_bad_train_config_raises_value_error(bad):
    with pytest.raises(ValueError):
        TrainConfig(**bad)


def test_from_dict_ignores_unknown_keys_and_rejects_non_dicts():
    assert from_dict(ModelConfig, {"code_size": 3, "future_field": 1}) == ModelConfig(code_size=3)
    with pytest.raises(ValueError):
        from_dict(ModelConfig, ["linear"])
