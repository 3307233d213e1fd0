"""The autoencoders: the lecture's LinearAE and a small convolutional one, built from a ModelConfig.

Every model maps digits (B, 28, 28) in [-1, 1] to reconstructions of the same shape, and exposes
`encode` (digits -> code h) and `decode` (code -> digits) so that pages can interpolate in latent space.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

from ae_core.config import ModelConfig

N_PIXELS = 28 * 28


class LinearAE(nn.Module):
    """The lecture's autoencoder: h = tanh(W_h x + b_h), x_hat = tanh(W_x h + b_x).

    d < 784 is under-complete (the standard AE, d = 30), d > 784 over-complete; the lecture's denoising
    AE uses d = 500. With `tied`, W_x = W_h^T, the lecture's note on how this relates to PCA.
    """

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = nn.Linear(N_PIXELS, cfg.code_size)  # W_h: (d, 784)
        if cfg.tied:
            self.decoder_bias = nn.Parameter(torch.zeros(N_PIXELS))
        else:
            self.decoder = nn.Linear(cfg.code_size, N_PIXELS)  # W_x: (784, d)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.encoder(x.reshape(-1, N_PIXELS)))  # (B, d)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        if self.cfg.tied:
            out = F.linear(h, self.encoder.weight.t(), self.decoder_bias)  # (B, 784)
        else:
            out = self.decoder(h)
        return torch.tanh(out).reshape(-1, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class ConvAE(nn.Module):
    """A small convolutional autoencoder: two stride-2 convolutions down to 7x7, a linear bottleneck of
    size d, and two transposed convolutions back up. Same interface as LinearAE.

    The code is left linear: with a tanh on it, Adam drives every unit to +-1 within a few dozen steps
    and the model collapses to the mean digit.
    """

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 3, stride=2, padding=1), nn.ReLU(),  # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.ReLU(),  # (B, 2c, 7, 7)
            nn.Flatten(),
            nn.Linear(2 * c * 49, cfg.code_size),  # (B, d): a linear code (a tanh here saturates and collapses)
        )
        self.decoder = nn.Sequential(
            nn.Linear(cfg.code_size, 2 * c * 49), nn.ReLU(),
            nn.Unflatten(1, (2 * c, 7, 7)),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.ReLU(),  # (B, c, 14, 14)
            nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1), nn.Tanh(),  # (B, 1, 28, 28)
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x.reshape(-1, 1, 28, 28))  # (B, d)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        return self.decoder(h).reshape(-1, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def build_model(cfg: ModelConfig) -> nn.Module:
    """The model a config describes, freshly initialised."""
    return {"linear": LinearAE, "conv": ConvAE}[cfg.arch](cfg)


def encoder_kernels(model: nn.Module) -> torch.Tensor:
    """The rows of the encoder weight W_h as 28x28 images, (d, 28, 28): what each code unit looks for.

    Only a linear model has one kernel per code unit over the whole image; others raise ValueError.
    """
    if not isinstance(model, LinearAE):
        raise ValueError("Kernels over the whole image exist only for the linear autoencoder.")
    return model.encoder.weight.detach().reshape(-1, 28, 28)


def get_device() -> torch.device:
    """The device everything runs on: the CPU, the default and tested path (set AE_DEVICE to override)."""
    return torch.device(os.environ.get("AE_DEVICE", "cpu"))
