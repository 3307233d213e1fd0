"""Batch handling shared by the modules that take images: one digit or a batch, torch or numpy in, the
same kind and shape out."""

import numpy as np
import torch

from ae_core.errors import InputError


def as_batch(images, dtype=torch.float32) -> tuple[torch.Tensor, bool, bool]:
    """`images` as a (B, 28, 28) tensor, plus whether it was one digit and whether it was numpy."""
    is_numpy = isinstance(images, np.ndarray)
    x = torch.as_tensor(images).to(dtype)
    if x.dim() not in (2, 3) or tuple(x.shape[-2:]) != (28, 28):
        raise InputError("Expected a 28x28 digit or a batch (B, 28, 28), got shape {shape}.", shape=tuple(x.shape))
    single = x.dim() == 2
    return (x.unsqueeze(0) if single else x), single, is_numpy


def restore(x: torch.Tensor, single: bool, is_numpy: bool):
    """Undo `as_batch`: drop the batch axis of a single digit, go back to numpy if the input was numpy."""
    x = x[0] if single else x
    return x.numpy() if is_numpy else x
