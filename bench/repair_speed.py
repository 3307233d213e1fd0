"""The compute behind one Repair update, as the page does it: preprocess a drawing, damage it, run every
method, score every output. Two line-ups are timed side by side in one run, alternating update by update
so that both see the same machine:

- "before": the page before biharmonic inpainting joined it: repair_unet as the best model, manifold
  projection with 20 steps, each method's output scored in its own metrics call;
- "now": the page's own line-up (ui.repair.methods_for, biharmonic included, the default best model) and
  its scoring (ui.repair.score: every output in one call).

Target: "now" takes at most 1.5x "before" (median per update, one torch thread, the app's setting).

    .venv/bin/python bench/repair_speed.py [--runs 200]

Writes bench/results/repair_speed.json with each line-up's median and p90 and the median of each step
(preprocess, damage, every method, scoring), and beside them scikit-image's own inpaint_biharmonic on the
same digits, the reference for the "Biharmonic" step. The drawing is a synthetic 280x280 RGBA canvas stroke of a 7,
the size the Repair page's canvas sends; the damage is lecture dropout at p = 0.7.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import torch
from skimage import restoration

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: ae_core lives at the repository root

from ae_core import benchmark, checkpoint, inference, metrics, noise  # noqa: E402
from ae_core.preprocess import to_mnist_digit  # noqa: E402
from ui.repair import DEFAULT_MODELS, methods_for, score  # noqa: E402

RESULTS = REPO / "bench" / "results" / "repair_speed.json"
TARGET_RATIO = 1.5
P = 0.7
BEFORE_BEST = "repair_unet"  # the best model before this line-up
BEFORE_PROJECTION_STEPS = 20


def drawn_seven() -> np.ndarray:
    """(280, 280, 4) uint8: white strokes with alpha on a transparent canvas, as st_canvas returns them."""
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    cv2.line(canvas, (70, 62), (210, 62), (255, 255, 255, 255), 22)
    cv2.line(canvas, (210, 62), (125, 238), (255, 255, 255, 255), 22)
    return canvas


def score_one_by_one(clean: torch.Tensor, outputs: dict, known: torch.Tensor) -> dict:
    """The scoring before: one metrics call per method."""
    return {name: metrics.evaluate(clean, out, known) for name, out in outputs.items()}


def one_update(drawing: np.ndarray, methods: dict, scorer, seed: int, split: dict) -> None:
    """Everything the Repair page computes after a stroke, each step's milliseconds added to `split`."""
    def timed(step, work):
        start = time.perf_counter()
        result = work()
        split.setdefault(step, []).append(1000 * (time.perf_counter() - start))
        return result

    clean = timed("preprocess", lambda: torch.from_numpy(to_mnist_digit(drawing))[None])  # (1, 28, 28)
    damaged, known = timed("damage", lambda: noise.dropout(clean, P, seed=seed))
    observed = benchmark.observe(clean, known)
    outputs = {}
    with torch.inference_mode():
        for name, method in methods.items():
            outputs[name] = timed(name, lambda m=method: m.run(damaged, known, observed))
    timed("scoring", lambda: scorer(clean, outputs, known))


def scikit_image_biharmonic_ms(drawing: np.ndarray, seed: int) -> float:
    """scikit-image's own inpaint_biharmonic on the same damaged digit as an update's: the reference for
    the "Biharmonic" step, which computes the same repair (ae_core.baselines)."""
    clean = torch.from_numpy(to_mnist_digit(drawing))[None]  # (1, 28, 28)
    _, known = noise.dropout(clean, P, seed=seed)
    image, holes = benchmark.observe(clean, known)[0].double().numpy(), ~known[0].numpy()
    start = time.perf_counter()
    restoration.inpaint_biharmonic(image, holes)
    return 1000 * (time.perf_counter() - start)


def line_ups(models: dict) -> dict:
    """(methods, scorer) of each line-up, "before" and "now"."""
    before = methods_for({**models, "best": models["before best"]})
    name, model = models["projection"]
    before[inference.projection_name(name)] = benchmark.projection(model, steps=BEFORE_PROJECTION_STEPS)
    del before["Biharmonic"]
    return {"before": (before, score_one_by_one), "now": (methods_for(models), score)}


def summary(times: list[float], split: dict) -> dict:
    """Median, p90 and mean of the updates, and each step's median and mean (means add up, as CPU time does:
    bench/ws_load.py subtracts them from the server's CPU per update)."""
    return {"median_ms": round(statistics.median(times), 3),
            "p90_ms": round(statistics.quantiles(times, n=10)[-1], 3),
            "mean_ms": round(statistics.fmean(times), 3),
            "split_median_ms": {step: round(statistics.median(v), 3) for step, v in split.items()},
            "split_mean_ms": {step: round(statistics.fmean(v), 3) for step, v in split.items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time one Repair update, before and now, side by side.")
    parser.add_argument("--runs", type=int, default=200, help="updates to time per line-up")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    available = set(checkpoint.list_checkpoints())
    wanted = {**DEFAULT_MODELS, "before best": BEFORE_BEST}
    missing = sorted(name for name in wanted.values() if name not in available)
    if missing:
        parser.error(f"missing checkpoints: {', '.join(missing)}")
    models = {role: (name, checkpoint.load(name)[0]) for role, name in wanted.items()}
    variants = line_ups(models)
    drawing = drawn_seven()
    times = {name: [] for name in variants}
    splits = {name: {} for name in variants}
    reference = []  # ms of scikit-image's inpaint_biharmonic, beside the updates
    for seed in range(5):  # warm-up
        for methods, scorer in variants.values():
            one_update(drawing, methods, scorer, seed, {})
    for seed in range(args.runs):
        for name, (methods, scorer) in variants.items():
            start = time.perf_counter()
            one_update(drawing, methods, scorer, seed, splits[name])
            times[name].append(1000 * (time.perf_counter() - start))
        reference.append(scikit_image_biharmonic_ms(drawing, seed))

    result = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"), "cpu_count": os.cpu_count(),
        "torch_threads": 1, "runs": args.runs, "p": P,
        "models": {"before": {**DEFAULT_MODELS, "best": BEFORE_BEST}, "now": DEFAULT_MODELS},
        "methods": {name: list(methods) for name, (methods, _) in variants.items()},
        **{name: summary(times[name], splits[name]) for name in variants},
    }
    result["scikit_image_biharmonic_median_ms"] = round(statistics.median(reference), 3)
    result["ratio"] = round(result["now"]["median_ms"] / result["before"]["median_ms"], 3)
    result["target_ratio"] = TARGET_RATIO
    result["meets_target"] = result["ratio"] <= TARGET_RATIO
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for name in variants:
        split = ", ".join(f"{step} {ms:.2f}" for step, ms in result[name]["split_median_ms"].items())
        print(f"{name:>6}: median {result[name]['median_ms']:.2f} ms, p90 {result[name]['p90_ms']:.2f} ms ({split})")
    print(f"Biharmonic: {result['now']['split_median_ms']['Biharmonic']:.2f} ms; scikit-image's own function on "
          f"the same digits: {result['scikit_image_biharmonic_median_ms']:.2f} ms")
    print(f"now / before = {result['ratio']:.2f} (target <= {TARGET_RATIO:g}) over {args.runs} updates each "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
