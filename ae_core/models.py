"""The models: the lecture's LinearAE, a small convolutional AE, and two U-Net inpainters, from a ModelConfig.

Every model maps digits (B, 28, 28) in [-1, 1] to outputs of the same shape. The two autoencoders have
a bottleneck and expose `encode` (digits -> code h) and `decode` (code -> digits), so pages can
interpolate in latent space. The U-Nets have no bottleneck: they are built to repair, and they are told
which pixels are known (`uses_mask`); call any model through `apply(model, damaged, known)`.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

from ae_core.config import ModelConfig
from ae_core.errors import InputError

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


def _double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU())


def _undo_dropout_scale(x: torch.Tensor) -> torch.Tensor:
    """Divide each digit (B, 1, 28, 28) by its largest magnitude (at least 1).

    MNIST digits always have background pixels at -1, so this exactly undoes the lecture dropout's
    1/(1-p) rescaling of the kept pixels, whatever p is, and leaves every other damage unchanged.
    """
    return x / x.abs().amax(dim=(2, 3), keepdim=True).clamp(min=1.0)


def _keep_known(x: torch.Tensor, known: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
    """Known pixels as given (clipped), predicted ones elsewhere: (B, 1, 28, 28) -> (B, 28, 28)."""
    return torch.where(known.bool(), x.clamp(-1, 1), predicted).reshape(-1, 28, 28)


def _inputs(x: torch.Tensor, known: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """A U-Net's inputs as (B, 1, 28, 28) digits (rescaling undone) and known mask (all known if None)."""
    x = x.reshape(-1, 1, 28, 28)
    known = torch.ones_like(x) if known is None else known.reshape(-1, 1, 28, 28).to(x.dtype)
    return _undo_dropout_scale(x), known


class RepairUNet(nn.Module):
    """A small U-Net that inpaints: (damaged digit, known mask) -> repaired digit.

    Two levels down (28 -> 14 -> 7) and back up, with skip connections. Like OpenCV's inpainting it
    is told which pixels are known, returns those as given and predicts only the others; unlike it, it
    has learned what digits look like. No bottleneck, hence no code: not for latent-space pages (and an
    undamaged digit, all pixels known, comes back unchanged). The input's dropout rescaling is undone
    first (`_undo_dropout_scale`).

    Plain ReLU convolutions without normalisation: this trains at c = 16 but not wider (see
    ResidualUNet and bench/unet_width.py).
    """

    uses_mask = True

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        self.down1 = _double_conv(2, c)  # (B, c, 28, 28); inputs: the digit and its known mask
        self.down2 = _double_conv(c, 2 * c)  # (B, 2c, 14, 14)
        self.bottom = _double_conv(2 * c, 4 * c)  # (B, 4c, 7, 7)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)  # 7 -> 14
        self.merge2 = _double_conv(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)  # 14 -> 28
        self.merge1 = _double_conv(2 * c, c)
        self.head = nn.Conv2d(c, 1, 1)

    def forward(self, x: torch.Tensor, known: torch.Tensor | None = None) -> torch.Tensor:
        x, known = _inputs(x, known)
        d1 = self.down1(torch.cat([x, known], dim=1))
        d2 = self.down2(F.max_pool2d(d1, 2))
        b = self.bottom(F.max_pool2d(d2, 2))
        u2 = self.merge2(torch.cat([self.up2(b), d2], dim=1))
        u1 = self.merge1(torch.cat([self.up1(u2), d1], dim=1))
        return _keep_known(x, known, torch.tanh(self.head(u1)))  # (B, 28, 28)


GROUPS = 8  # GroupNorm groups in ResidualUNet: per-digit statistics, the same for a batch of one


class ResidualBlock(nn.Module):
    """Pre-activation residual block: x + conv(act(norm(conv(act(norm(x)))))), with a 1x1 conv on the
    skip path when the width changes. The second conv starts at zero, so a fresh block is the identity
    (plus that projection) and a deep stack starts as a shallow one."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.GroupNorm(GROUPS, c_in), nn.SiLU(), nn.Conv2d(c_in, c_out, 3, padding=1),
            nn.GroupNorm(GROUPS, c_out), nn.SiLU(), nn.Conv2d(c_out, c_out, 3, padding=1))
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)
        self.skip = nn.Identity() if c_in == c_out else nn.Conv2d(c_in, c_out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.skip(x) + self.body(x)


class ResidualUNet(nn.Module):
    """RepairUNet's contract and levels (28 -> 14 -> 7 -> 14 -> 28, skip connections, known pixels kept),
    built from normalised residual blocks as inpainting and diffusion U-Nets are, so it trains at any
    width.

    Why: the plain U-Net without normalisation fails at c = 24: within 25 Adam steps its output tanh
    saturates at -1 (all background) on every pixel, so no gradient flows back, and half its last ReLU
    layer is dead (bench/unet_width.py). GroupNorm keeps every layer's inputs at unit scale, SiLU has no
    dead zone, and zero-initialised residual branches start the net as a near-identity map. Its cost
    per digit is bounded by the Repair page: at most twice RepairUNet's (batch of one, one thread).
    """

    uses_mask = True

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        self.stem = nn.Conv2d(2, c, 3, padding=1)  # (B, c, 28, 28); inputs: the digit and its known mask
        self.enc1 = ResidualBlock(c, c)
        self.down1 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)  # (B, 2c, 14, 14)
        self.enc2 = ResidualBlock(2 * c, 2 * c)
        self.down2 = nn.Conv2d(2 * c, 4 * c, 3, stride=2, padding=1)  # (B, 4c, 7, 7)
        self.middle = ResidualBlock(4 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)  # 7 -> 14
        self.dec2 = ResidualBlock(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)  # 14 -> 28
        self.dec1 = ResidualBlock(2 * c, c)
        self.head = nn.Sequential(nn.GroupNorm(GROUPS, c), nn.SiLU(), nn.Conv2d(c, 1, 1))

    def forward(self, x: torch.Tensor, known: torch.Tensor | None = None) -> torch.Tensor:
        x, known = _inputs(x, known)
        e1 = self.enc1(self.stem(torch.cat([x, known], dim=1)))  # (B, c, 28, 28)
        e2 = self.enc2(self.down1(e1))  # (B, 2c, 14, 14)
        m = self.middle(self.down2(e2))  # (B, 4c, 7, 7)
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))  # (B, 2c, 14, 14)
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))  # (B, c, 28, 28)
        return _keep_known(x, known, torch.tanh(self.head(d1)))  # (B, 28, 28)


def apply(model: nn.Module, damaged: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """The model's repair of `damaged` (B, 28, 28): mask-aware models also get the known mask."""
    return model(damaged, known) if getattr(model, "uses_mask", False) else model(damaged)


def has_code(model: nn.Module) -> bool:
    """True for bottleneck autoencoders (encode/decode exist): the models latent-space pages can use."""
    return hasattr(model, "encode") and hasattr(model, "decode")


def build_model(cfg: ModelConfig) -> nn.Module:
    """The model a config describes, freshly initialised."""
    return {"linear": LinearAE, "conv": ConvAE, "unet": RepairUNet, "resunet": ResidualUNet}[cfg.arch](cfg)


def encoder_kernels(model: nn.Module) -> torch.Tensor:
    """The rows of the encoder weight W_h as 28x28 images, (d, 28, 28): what each code unit looks for.

    Only a linear model has one kernel per code unit over the whole image; others raise ValueError.
    """
    if not isinstance(model, LinearAE):
        raise InputError("Kernels over the whole image exist only for the linear autoencoder.")
    return model.encoder.weight.detach().reshape(-1, 28, 28)


def get_device() -> torch.device:
    """The device everything runs on: the CPU, the default and tested path (set AE_DEVICE to override)."""
    return torch.device(os.environ.get("AE_DEVICE", "cpu"))
