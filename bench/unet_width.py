"""Why the plain U-Net fails when made wider, and whether the residual U-Net fixes it.

    .venv/bin/python bench/unet_width.py [--steps 300]

Trains each variant for the same few hundred steps of `repair_unet`'s recipe (mixed damage, p drawn
from [0.05, 0.95], batch 128, Adam) on the MNIST training set, and every 25 steps records the loss and
two symptoms of a dying network on a fixed probe batch:
- dead ReLUs: the share of each ReLU layer's channels that are zero for every pixel of every probe digit
  (a channel that is 0 everywhere passes no gradient and never comes back); if every channel of the last
  layer is dead, the head sees zeros and outputs a constant;
- a constant output: the spread (std) of the predicted pixels; at 0 the net ignores its input;
- a saturated head: the share of predicted pixels where the output tanh is beyond +-0.99, where its
  gradient is below 0.02 and nothing flows back into the net.
Writes bench/results/unet_width.json and prints one line per variant.
"""

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: ae_core lives at the repository root

from ae_core.config import ModelConfig, TrainConfig  # noqa: E402
from ae_core.data import load_mnist  # noqa: E402
from ae_core.models import build_model  # noqa: E402
from ae_core.train import corrupt_batch, reconstruction_loss  # noqa: E402

RESULTS = REPO / "bench" / "results" / "unet_width.json"
VARIANTS = [  # (arch, channels, lr): the shipped width, the failing width at two rates, and the fix
    ("unet", 16, 2e-3), ("unet", 24, 2e-3), ("unet", 24, 1e-3), ("resunet", 24, 2e-3),
]


def symptoms(model: nn.Module, probe: torch.Tensor, known: torch.Tensor) -> dict:
    """Dead-ReLU shares (each layer, in forward order) and output spread of `model` on a probe batch."""
    dead = []

    def count(_module, _inputs, output):  # output (B, C, H, W): a channel is dead if it is 0 everywhere
        alive = output.amax(dim=(0, 2, 3)) > 0  # (C,)
        dead.append(round(float((~alive).float().mean()), 3))

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        out = model(probe, known)  # (B, 28, 28)
    for hook in hooks:
        hook.remove()
    predicted = out[~known]
    return {"dead_relu_share_per_layer": dead or None, "output_spread": round(float(predicted.std()), 4),
            "output_mean": round(float(predicted.mean()), 4),
            "saturated_share": round(float((predicted.abs() > 0.99).float().mean()), 3)}


def run(arch: str, channels: int, lr: float, images: torch.Tensor, steps: int) -> dict:
    """Train one variant for `steps` batches; the loss curve and the symptoms every 25 steps."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(arch=arch, channels=channels))
    cfg = TrainConfig(batch_size=128, lr=lr, noise="mixed", p=0.05, p_max=0.95)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    probe_gen = torch.Generator().manual_seed(1)
    probe, probe_known = corrupt_batch(images[:256], TrainConfig(noise="dropout", p=0.5), probe_gen)
    curve, window, start = [], [], time.perf_counter()
    for step in range(1, steps + 1):
        clean = images[torch.randint(len(images), (cfg.batch_size,), generator=generator)]
        damaged, known = corrupt_batch(clean, cfg, generator)
        loss = reconstruction_loss(model(damaged, known), clean, "mse")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        window.append(loss.item())
        if step % 25 == 0:
            model.eval()
            curve.append({"step": step, "loss": round(sum(window) / len(window), 4),
                          **symptoms(model, probe, probe_known)})
            model.train()
            window = []
    return {"arch": arch, "channels": channels, "lr": lr, "steps": steps,
            "seconds": round(time.perf_counter() - start, 1), "curve": curve}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Train plain and residual U-Nets briefly at several widths.")
    parser.add_argument("--steps", type=int, default=300, help="Adam steps per variant")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    images = load_mnist(train=True).images
    runs = []
    for arch, channels, lr in VARIANTS:
        result = run(arch, channels, lr, images, args.steps)
        runs.append(result)
        last = result["curve"][-1]
        dead = last["dead_relu_share_per_layer"]
        dead_text = "no ReLU" if dead is None else f"dead ReLU channels: {max(dead):.0%} in the worst layer, " \
                                                   f"{dead[-1]:.0%} in the last"
        print(f"{arch:8s} c={channels:2d} lr={lr:.0e}: loss {last['loss']:.4f} after {args.steps} steps, "
              f"{dead_text}, output mean {last['output_mean']} spread {last['output_spread']}, "
              f"{last['saturated_share']:.0%} saturated ({result['seconds']} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"created": datetime.now(UTC).isoformat(timespec="seconds"),
                                    "n_train": len(images), "runs": runs}, indent=1) + "\n")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
