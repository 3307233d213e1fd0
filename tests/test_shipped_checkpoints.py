"""Every committed checkpoint loads, and its card's test figures are reproduced on a test slice."""

import pytest
import torch

from ae_core import checkpoint
from ae_core.evaluate import card_metrics

NAMES = checkpoint.list_checkpoints()
SLICE = 2000  # the first 2,000 test digits: ~a second per model
# The first part of MNIST's test set is a little harder than the rest: on this slice the lecture models
# measure 0.1-0.2 dB and 0.005-0.03 SSIM below their full-set cards. A broken model misses by far more.
TOLERANCE_DB = 0.5
TOLERANCE_SSIM = 0.04


def test_the_lecture_models_are_shipped():
    assert {"standard_d30", "denoising_d500"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_checkpoint_loads_and_matches_its_card(name):
    model, card = checkpoint.load(name)
    assert card["name"] == name and card["data"]["source"] == "mnist" and card["data"]["n_train"] == 60_000
    out = model(torch.zeros(2, 28, 28))
    assert out.shape == (2, 28, 28) and torch.isfinite(out).all()


@pytest.mark.mnist
@pytest.mark.parametrize("name", NAMES)
def test_card_figures_are_reproduced_on_a_test_slice(name, mnist_test):
    model, card = checkpoint.load(name)
    measured = card_metrics(model, mnist_test.images[:SLICE], p=card["metrics"]["p"], seed=card["metrics"]["seed"],
                            super_resolution="superres" in card["metrics"])
    figures = [(measured[part], card["metrics"][part]) for part in ("clean", "dropout")]
    figures += [(measured["superres"][f], stored) for f, stored in card["metrics"].get("superres", {}).items()]
    for ours, stored in figures:
        assert ours["psnr"] == pytest.approx(stored["psnr"], abs=TOLERANCE_DB)
        assert ours["ssim"] == pytest.approx(stored["ssim"], abs=TOLERANCE_SSIM)


@pytest.mark.mnist
def test_lecture_figures_land_near_the_guide():
    """The guide's reference: lecture AE ~19 dB clean, lecture DAE ~20.3 dB at p = 0.5 (full test set)."""
    standard, denoising = checkpoint.read_card("standard_d30"), checkpoint.read_card("denoising_d500")
    assert standard["metrics"]["clean"]["psnr"] == pytest.approx(19.0, abs=0.5)
    assert denoising["metrics"]["dropout"]["psnr"] == pytest.approx(20.3, abs=0.5)
    assert denoising["metrics"]["dropout"]["psnr"] > standard["metrics"]["dropout"]["psnr"] + 3
