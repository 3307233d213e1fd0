"""Super-resolution: area shrinking, the two interpolations, the consistency of every learned output with
its input, and clear errors for shapes and factors that do not fit a 28x28 digit."""

import numpy as np
import pytest
import torch

from ae_core import noise, superres
from ae_core.config import ModelConfig
from ae_core.models import build_model


@pytest.fixture
def digits():
    return torch.rand(5, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1  # (5, 28, 28)


def test_shrink_averages_each_block(digits):
    low = superres.shrink(digits, 4)  # (5, 7, 7)
    assert low.shape == (5, 7, 7)
    torch.testing.assert_close(low[2, 1, 3], digits[2, 4:8, 12:16].mean())
    assert superres.shrink(digits[0].numpy(), 2).shape == (14, 14)  # one numpy digit in, one out


def test_nearest_repeats_each_pixel_and_shrinks_back_exactly(digits):
    low = superres.shrink(digits, 2)
    blocks = superres.enlarge(low, "nearest")  # (5, 28, 28)
    assert torch.equal(blocks[:, 0:2, 0:2], low[:, :1, :1].expand(5, 2, 2))
    torch.testing.assert_close(superres.shrink(blocks, 2), low)


def test_bicubic_is_opencvs_clipped():
    import cv2

    low = np.linspace(-1, 1, 49, dtype=np.float32).reshape(7, 7)
    expected = np.clip(cv2.resize(low, (28, 28), interpolation=cv2.INTER_CUBIC), -1, 1)
    np.testing.assert_allclose(superres.enlarge(low, "bicubic"), expected)
    assert superres.enlarge(np.ones((7, 7), np.float32), "bicubic").max() == 1.0  # flat stays flat


def test_downsample_damage_is_the_nearest_enlargement(digits):
    damaged, known = noise.downsample(digits, 4)
    assert torch.equal(damaged, superres.enlarge(superres.shrink(digits, 4)))
    assert not known.any()
    assert torch.equal(noise.corrupt(digits, "downsample", 4)[0], damaged)


@pytest.mark.parametrize("arch", ["linear", "resunet"])
def test_learned_outputs_shrink_back_to_the_input(digits, arch):
    """Both learned methods respect the measurement: every block of their output that needed no clipping
    to [-1, 1] averages to its pixel of the small digit."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(arch, code_size=8, channels=8)).eval()
    low = superres.shrink(digits * 0.5, 4)  # (5, 7, 7), values well inside [-1, 1]
    out = (superres.project if arch == "linear" else superres.upscale)(model, low)
    assert out.shape == (5, 28, 28) and out.abs().max() <= 1
    unclipped = superres.shrink((out.abs() < 1).float(), 4) == 1  # (5, 7, 7): blocks with no clipped pixel
    assert unclipped.float().mean() > 0.5
    torch.testing.assert_close(superres.shrink(out, 4)[unclipped], low[unclipped], atol=1e-5, rtol=0)


def test_the_line_up_names_every_method(digits):
    model = build_model(ModelConfig("linear", code_size=4)).eval()
    line_up = superres.methods({"sr": model}, {"ae": model})
    assert list(line_up) == ["nearest", "bicubic", "sr", "projection: ae"]
    low = superres.shrink(digits, 2)
    assert all(f(low).shape == (5, 28, 28) for f in line_up.values())


def test_a_card_says_whether_a_model_is_for_super_resolution():
    assert superres.is_superres_model({"training": {"noise": "downsample"}})
    assert not superres.is_superres_model({"training": {"noise": "mixed"}}) and not superres.is_superres_model({})


@pytest.mark.parametrize("factor", [0, 1, 3, 5, 2.0, "2"])
def test_bad_factors_are_refused(digits, factor):
    with pytest.raises(ValueError, match="divides 28"):
        superres.shrink(digits, factor)


@pytest.mark.parametrize("shape", [(6, 6), (7, 8), (2, 3, 9, 9), (0, 0)])
def test_bad_low_resolution_shapes_are_refused(shape):
    with pytest.raises(ValueError, match="low-resolution"):
        superres.enlarge(np.zeros(shape, np.float32))


def test_bad_method_steps_and_pixels_are_refused(digits):
    low = superres.shrink(digits, 4)
    with pytest.raises(ValueError, match="nearest or bicubic"):
        superres.enlarge(low, "lanczos")
    with pytest.raises(ValueError, match="at least one step"):
        superres.project(build_model(ModelConfig("linear", code_size=4)), low, steps=0)
    with pytest.raises(ValueError, match="NaN"):
        superres.enlarge(torch.full((7, 7), float("nan")))
    with pytest.raises(ValueError, match="whole number"):
        noise.corrupt(digits, "downsample", 2.5)
