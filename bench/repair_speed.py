"""The compute behind one Repair update, as the page does it: preprocess a drawing, damage it, run every
method, score every output. Target: median <= 20 ms on one torch thread (the app's setting).

    .venv/bin/python bench/repair_speed.py [--runs 200]

Writes bench/results/repair_speed.json. The drawing is a synthetic 280x280 RGBA canvas stroke of a 7, the
size the Repair page's canvas sends; the models are the page's defaults.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: ae_core lives at the repository root

from ae_core import benchmark, checkpoint, metrics, noise  # noqa: E402
from ae_core.preprocess import to_mnist_digit  # noqa: E402
from ui.repair import DEFAULT_MODELS, methods_for  # noqa: E402

RESULTS = REPO / "bench" / "results" / "repair_speed.json"
TARGET_MS = 20.0


def drawn_seven() -> np.ndarray:
    """(280, 280, 4) uint8: white strokes with alpha on a transparent canvas, as st_canvas returns them."""
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    cv2.line(canvas, (70, 62), (210, 62), (255, 255, 255, 255), 22)
    cv2.line(canvas, (210, 62), (125, 238), (255, 255, 255, 255), 22)
    return canvas


def one_update(drawing: np.ndarray, methods: dict, p: float, seed: int) -> dict:
    """Everything the Repair page computes after a stroke; returns the figures it would show."""
    clean = torch.from_numpy(to_mnist_digit(drawing))[None]  # (1, 28, 28)
    damaged, known = noise.dropout(clean, p, seed=seed)
    outputs = benchmark.repair_all(clean, damaged, known, methods)
    return {name: metrics.evaluate(clean, out, known) for name, (out, _) in outputs.items() if out is not None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time one Repair update (preprocess + methods + metrics).")
    parser.add_argument("--runs", type=int, default=200, help="updates to time")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    available = set(checkpoint.list_checkpoints())
    models = {role: checkpoint.load(name)[0] for role, name in DEFAULT_MODELS.items() if name in available}
    methods = methods_for(models)
    drawing = drawn_seven()
    for seed in range(5):  # warm-up
        one_update(drawing, methods, 0.7, seed)
    times = []
    for seed in range(args.runs):
        start = time.perf_counter()
        one_update(drawing, methods, 0.7, seed)
        times.append(1000 * (time.perf_counter() - start))

    median = statistics.median(times)
    result = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"), "cpu_count": os.cpu_count(),
        "torch_threads": 1, "runs": args.runs, "models": {r: DEFAULT_MODELS[r] for r in models},
        "methods": list(methods), "median_ms": round(median, 3),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1], 3), "min_ms": round(min(times), 3),
        "target_ms": TARGET_MS, "meets_target": median <= TARGET_MS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"one Repair update: median {median:.2f} ms, p90 {result['p90_ms']:.2f} ms over {args.runs} runs "
          f"({len(methods)} methods; target <= {TARGET_MS:g} ms) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
