"""The figures on a model card: how well a model reconstructs clean test digits and repairs the
lecture's dropout damage, measured by the guide's one convention (see ae_core.metrics).

Damage is seeded per digit (digit i of the test set uses seed + i), so every method, every run and
every slice of the test set sees the same damaged digits.
"""

import math

import torch
from torch import nn

from ae_core import metrics, noise, superres
from ae_core.inference import repair

CARD_P = 0.5  # the lecture's drop rate
CARD_SEED = 0


def repair_in_chunks(model: nn.Module, damaged: torch.Tensor, known: torch.Tensor,
                     chunk: int = 2000) -> torch.Tensor:
    """repair() over a large (N, 28, 28) set, a chunk at a time to bound memory."""
    return torch.cat([repair(model, damaged[i:i + chunk], known[i:i + chunk])
                      for i in range(0, len(damaged), chunk)])


def _finite_or_none(figures: dict) -> dict:
    """JSON has no NaN: a figure that does not exist (no repaired pixels) is stored as null."""
    return {k: (None if math.isnan(v) else round(float(v), 6)) for k, v in figures.items()}


def card_metrics(model: nn.Module, test_images: torch.Tensor, p: float = CARD_P,
                 seed: int = CARD_SEED, super_resolution: bool = False) -> dict:
    """{"clean": figures, "dropout": figures} on `test_images` (N, 28, 28); dropout at rate p.

    "clean": the model's reconstruction of undamaged digits (whole image only).
    "dropout": the one-shot output on lecture-dropout digits, whole image and repaired pixels.
    With `super_resolution`, also "superres": {"2": figures, "4": figures}: superres.upscale on the digits shrunk
    by each of superres.FACTORS (whole image).
    """
    everything = torch.ones_like(test_images, dtype=torch.bool)
    clean = metrics.evaluate(test_images, repair_in_chunks(model, test_images, everything), everything)
    damaged, known = noise.dropout(test_images, p, seed=seed)
    repaired = metrics.evaluate(test_images, repair_in_chunks(model, damaged, known), known)
    clean = {k: v for k, v in clean.items() if not k.endswith("_repaired")}
    card = {"clean": _finite_or_none(clean), "dropout": _finite_or_none(repaired),
            "p": p, "seed": seed, "n": len(test_images)}
    if super_resolution:
        card["superres"] = {}
        for factor in superres.FACTORS:
            low = superres.shrink(test_images, factor)
            output = torch.cat([superres.upscale(model, low[i:i + 2000]) for i in range(0, len(low), 2000)])
            card["superres"][str(factor)] = _whole_image(test_images, output)
    return card


def _whole_image(clean: torch.Tensor, output: torch.Tensor) -> dict:
    """PSNR, SSIM and MSE on the whole image, rounded for a card."""
    figures = metrics.evaluate(clean, output, torch.zeros_like(clean, dtype=torch.bool))
    return _finite_or_none({k: v for k, v in figures.items() if not k.endswith("_repaired")})
