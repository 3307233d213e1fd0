"""Toy manifolds: the lecture's 1-D curves in 2-D and 3-D, and tiny autoencoders trained on them.

A standard, a denoising and a contractive autoencoder are trained on points of a curve; moving a grid
of inputs through each model shows where it sends points on and off the curve (lecture Figs. 15-19).

The contractive penalty comes in two forms. The lecture's (Fig. 18) is the squared norm of the code's
Jacobian, ||dh/dx||^2. With the free linear decoder of these models it contracts the code but not the
model: shrinking the encoder's weights and growing the decoder's lowers the penalty at no cost in
reconstruction, so the output stays as sensitive across the curve as along it. Penalising the whole
model's Jacobian, ||dx̂/dx||^2, cannot be undone that way, and shows what the lecture describes: a model
sensitive along the manifold and insensitive across it (`sensitivity` measures both).

    from ae_core import toy
    points, curve = toy.curve_2d(500, noise=0.02, seed=0)
    model = toy.train_toy("denoising", points, noise_sigma=0.2)
    outputs, distances = toy.displacement(model, toy.grid(2))
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ae_core.errors import InputError
from ae_core.train import contractive_penalty

KINDS = ("standard", "denoising", "contractive")
PENALTIES = ("output", "code")  # the contractive penalty on ||dx̂/dx||^2, or on ||dh/dx||^2 (the lecture's)


def _as_tensor(points) -> torch.Tensor:
    return torch.as_tensor(np.asarray(points), dtype=torch.float32)


def curve_2d(n: int = 500, noise: float = 0.02, seed: int = 0, dense: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """A sine arc y = 0.6 sin(πx), x in [-1, 1]: `n` samples with Gaussian noise of std `noise`,
    returned as (points (n, 2), clean curve (dense, 2)); the same seed gives the same points."""
    if n < 1 or noise < 0:
        raise InputError("Need n >= 1 and noise >= 0, got n={n}, noise={noise}.", n=n, noise=noise)
    rng = np.random.default_rng(seed)
    arc = lambda t: np.stack([t, 0.6 * np.sin(math.pi * t)], axis=1)  # noqa: E731  (m,) -> (m, 2)
    points = arc(rng.uniform(-1, 1, n)) + noise * rng.standard_normal((n, 2))  # (n, 2)
    return points.astype(np.float32), arc(np.linspace(-1, 1, dense)).astype(np.float32)


def curve_3d(n: int = 500, noise: float = 0.02, seed: int = 0, dense: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """A helix of radius 0.8 making 1.5 turns while z rises from -1 to 1: (points (n, 3), curve (dense, 3))."""
    if n < 1 or noise < 0:
        raise InputError("Need n >= 1 and noise >= 0, got n={n}, noise={noise}.", n=n, noise=noise)
    rng = np.random.default_rng(seed)

    def helix(s: np.ndarray) -> np.ndarray:  # (m,) in [0, 1] -> (m, 3)
        t = 3 * math.pi * s
        return np.stack([0.8 * np.cos(t), 0.8 * np.sin(t), 2 * s - 1], axis=1)

    points = helix(rng.uniform(0, 1, n)) + noise * rng.standard_normal((n, 3))  # (n, 3)
    return points.astype(np.float32), helix(np.linspace(0, 1, dense)).astype(np.float32)


def grid(dim: int, steps: int | None = None, extent: float = 1.5) -> np.ndarray:
    """A regular grid over [-extent, extent]^dim: (steps^dim, dim); 21 steps in 2-D, 9 in 3-D by default."""
    steps = steps or (21 if dim == 2 else 9)
    axes = np.meshgrid(*[np.linspace(-extent, extent, steps)] * dim, indexing="ij")
    return np.stack([a.ravel() for a in axes], axis=1).astype(np.float32)  # (steps^dim, dim)


def distance_to_curve(points, curve) -> np.ndarray:
    """(N,) Euclidean distance from each point (N, D) to the nearest point of a densely sampled curve (M, D)."""
    p, c = np.asarray(points, dtype=np.float64), np.asarray(curve, dtype=np.float64)
    return np.sqrt(((p[:, None, :] - c[None, :, :]) ** 2).sum(-1).min(axis=1))  # (N,)


class ToyAE(nn.Module):
    """x -> h = tanh(W_h x + b_h) -> x̂ = W_x h + b_x: one tanh hidden layer, a linear output."""

    def __init__(self, dim: int, hidden: int = 64):
        super().__init__()
        self.encoder = nn.Linear(dim, hidden)  # W_h: (hidden, dim)
        self.decoder = nn.Linear(hidden, dim)  # W_x: (dim, hidden)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.encoder(x))  # (N, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encode(x))  # (N, dim)


@dataclass
class ToyConfig:
    """How a toy autoencoder is trained (full batch: every step sees every point)."""

    hidden: int = 64  # tanh units; more than the input dimension, so a plain AE could copy its input
    steps: int = 1500  # Adam steps
    lr: float = 1e-2  # Adam learning rate
    seed: int = 0  # weights and the denoising noise


def output_jacobian(model: ToyAE, x: torch.Tensor) -> torch.Tensor:
    """(N, D, D) Jacobian dx̂/dx = W_x diag(1 - h^2) W_h at each input x (N, D); differentiable."""
    slope = 1 - model.encode(x).pow(2)  # (N, hidden)
    return torch.einsum("dh,nh,hk->ndk", model.decoder.weight, slope, model.encoder.weight)


def train_toy(kind: str, points, noise_sigma: float = 0.2, lam: float = 0.03, penalty: str = "output",
              epochs: int | None = None, seed: int = 0, cfg: ToyConfig | None = None) -> ToyAE:
    """Train a ToyAE on `points` (N, D) to reproduce them: "standard" (plain MSE), "denoising" (the input
    gets fresh Gaussian noise of std `noise_sigma` every step, the target stays clean) or "contractive"
    (MSE + lam * the `penalty`: "output" ||dx̂/dx||^2 or "code" ||dh/dx||^2). `epochs` (full-batch steps)
    overrides cfg.steps. Returns the model in eval mode."""
    if kind not in KINDS:
        raise InputError("Unknown kind {kind!r}; choose one of {options}.", kind=kind, options=", ".join(KINDS))
    if penalty not in PENALTIES:
        raise InputError("Unknown penalty {penalty!r}; choose one of {options}.", penalty=penalty,
                         options=", ".join(PENALTIES))
    cfg = cfg or ToyConfig(seed=seed)
    clean = _as_tensor(points)  # (N, D)
    if clean.dim() != 2 or len(clean) == 0:
        raise InputError("Training needs points of shape (N, D), got {shape}.", shape=tuple(clean.shape))
    torch.manual_seed(cfg.seed)
    generator = torch.Generator().manual_seed(cfg.seed)
    model = ToyAE(clean.shape[1], cfg.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for _ in range(epochs or cfg.steps):
        inputs = clean
        if kind == "denoising":
            inputs = clean + noise_sigma * torch.randn(clean.shape, generator=generator)  # (N, D)
        loss = (model(inputs) - clean).pow(2).sum(dim=1).mean()
        if kind == "contractive" and penalty == "code":
            loss = loss + lam * contractive_penalty(model, inputs)
        elif kind == "contractive":
            loss = loss + lam * output_jacobian(model, inputs).pow(2).sum(dim=(1, 2)).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model.eval()


def displacement(model: ToyAE, points) -> tuple[np.ndarray, np.ndarray]:
    """Where the model sends each input (N, D) and how far it travels: (outputs (N, D), distances (N,))."""
    x = _as_tensor(points)  # (N, D)
    with torch.inference_mode():
        y = model(x)  # (N, D)
    return y.numpy(), (y - x).norm(dim=1).numpy()


def code_jacobian_norm(model: ToyAE, points) -> np.ndarray:
    """(N,) Frobenius norm of the code Jacobian dh/dx at each input (N, D): what the contractive penalty
    squares, sqrt(sum_j (1 - h_j^2)^2 ||W_j||^2)."""
    x = _as_tensor(points)  # (N, D)
    with torch.inference_mode():
        h = model.encode(x)  # (N, hidden)
        row_norms = model.encoder.weight.pow(2).sum(dim=1)  # (hidden,)
        return ((1 - h.pow(2)).pow(2) * row_norms).sum(dim=1).sqrt().numpy()


def sensitivity(model: ToyAE, curve) -> tuple[np.ndarray, np.ndarray]:
    """How much the output moves per unit move of the input at each point of a densely sampled curve
    (M, D): along the curve, ||J t|| for its unit tangent t, and across it, ||J (I - t t^T)||_F over the
    directions normal to it. Both are 1 for a model that copies its input; a model that projects onto
    the curve keeps the first and has the second near 0. Returns ((M,), (M,))."""
    c = np.asarray(curve, dtype=np.float32)  # (M, D)
    tangent = np.gradient(c, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)  # (M, D)
    with torch.inference_mode():
        jac = output_jacobian(model, _as_tensor(c))  # (M, D, D)
        t = torch.from_numpy(tangent)
        along = torch.einsum("ndk,nk->nd", jac, t).norm(dim=1)  # (M,)
        normal = torch.eye(c.shape[1]) - torch.einsum("nd,nk->ndk", t, t)  # (M, D, D) projector
        across = (jac @ normal).flatten(1).norm(dim=1)  # (M,)
    return along.numpy(), across.numpy()


@dataclass
class ToyResult:
    """One trained model's picture: the data, its learned curve and where a grid of inputs goes."""

    kind: str
    seconds: float  # training time
    curve_out: np.ndarray  # (M, D) the model's outputs along the clean curve: the learned manifold
    grid_in: np.ndarray  # (G, D) grid inputs
    grid_out: np.ndarray  # (G, D) where the model sends them
    grid_dist: np.ndarray  # (G,) how far each travelled
    on_mean: float  # mean displacement of points on the clean curve
    far_mean: float  # mean displacement of grid points farther than `far` from the curve
    along: float  # mean sensitivity along the curve, on it (see `sensitivity`)
    across: float  # mean sensitivity across the curve, on it
    on_code_jac: float  # mean ||dh/dx|| on the curve (what the lecture's penalty shrinks)


def study(kind: str, points, curve, noise_sigma: float, lam: float, penalty: str = "output", far: float = 0.4,
          seed: int = 0) -> ToyResult:
    """Train one model on `points` and measure it on the clean `curve` and on a grid around it."""
    start = time.perf_counter()
    model = train_toy(kind, points, noise_sigma=noise_sigma, lam=lam, penalty=penalty, seed=seed)
    seconds = time.perf_counter() - start
    curve = np.asarray(curve, dtype=np.float32)
    g = grid(curve.shape[1])  # (G, D)
    curve_out, curve_dist = displacement(model, curve)
    grid_out, grid_dist = displacement(model, g)
    is_far = distance_to_curve(g, curve) > far  # (G,)
    along, across = sensitivity(model, curve)
    return ToyResult(kind, seconds, curve_out, g, grid_out, grid_dist,
                     on_mean=float(curve_dist.mean()), far_mean=float(grid_dist[is_far].mean()),
                     along=float(along.mean()), across=float(across.mean()),
                     on_code_jac=float(code_jacobian_norm(model, curve).mean()))
