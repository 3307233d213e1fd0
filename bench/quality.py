"""The quality and speed benchmark: does an autoencoder beat the best classical inpainting, by how much, where?

    .venv/bin/python bench/quality.py            # the full MNIST test set (AE_DATA_DIR), about 20 minutes
    .venv/bin/python bench/quality.py --quick    # the first 1,000 test digits, a minute or two

Every committed checkpoint repairs the same damaged test digits as the classical methods, OpenCV's
Telea and Navier-Stokes and scikit-image's biharmonic inpainting (ae_core.benchmark), scored by the
guide's one convention; bottleneck models are also compared with PCA at the same code size on clean
digits; then speed. Biharmonic inpainting, the slow part, runs in one process per core. Writes
bench/results/quality.json (read by the Benchmarks page), docs/BENCHMARKS.md and
docs/benchmarks_psnr_vs_p.png.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: ae_core lives at the repository root

from ae_core import benchmark, checkpoint, inference, metrics, superres  # noqa: E402
from ae_core.baselines import fit_pca, pca_reconstruct  # noqa: E402
from ae_core.config import ModelConfig, TrainConfig  # noqa: E402
from ae_core.data import load_mnist  # noqa: E402
from ae_core.models import build_model, has_code  # noqa: E402
from ae_core.train import fit  # noqa: E402
from bench.report import REPORT as REPORT_PATH  # noqa: E402
from bench.report import update_section  # noqa: E402

RESULTS = REPO / "bench" / "results" / "quality.json"
PLOT = REPO / "docs" / "benchmarks_psnr_vs_p.png"
QUICK_N = 1000
LATENCY_RUNS = 30


def repair_methods(models: dict, workers: int = 1) -> dict[str, benchmark.Method]:
    """Every repair method in the benchmark, by display name: each checkpoint one-shot, manifold
    projection with each linear (lecture-style) model, the classical inpainting methods (biharmonic
    in `workers` processes), and no repair.

    Projection with the conv AE is left out: its passes over every condition would take a large share
    of the benchmark's time."""
    methods = {name: benchmark.one_shot(model) for name, model in models.items()}
    methods |= {inference.projection_name(name): benchmark.projection(model)
                for name, model in models.items() if model.cfg.arch == "linear"}
    return methods | benchmark.classical_methods(workers) | {benchmark.NO_REPAIR: benchmark.DAMAGED_AS_IS}


def run_repair(test: torch.Tensor, methods: dict) -> list[dict]:
    rows = []
    for condition in benchmark.standard_conditions():
        outcomes = benchmark.compare(test, condition, methods)
        results = {name: None if o is None else {**o.figures, "seconds": o.seconds} for name, o in outcomes.items()}
        rows.append({"condition": condition.label, "kind": condition.kind, "level": condition.level,
                     "results": results})
        best = max((n for n, r in results.items() if r), key=lambda n: results[n]["psnr"])
        print(f"  {condition.label:<22} best {best} {results[best]['psnr']:.2f} dB", flush=True)
    return rows


def run_superres(test: torch.Tensor, models: dict, cards: dict, chunk: int = 1000) -> list[dict]:
    """Super-resolution at each of superres.FACTORS: the test digits shrunk by area averaging, enlarged back
    by every method of superres.methods (the super-resolution checkpoints, projection with every bottleneck
    model), scored on the whole image."""
    trained = {n: m for n, m in models.items() if superres.is_superres_model(cards[n])}
    projected = {n: m for n, m in models.items() if has_code(m)}
    line_up = superres.methods(trained, projected)
    nobody_known = torch.zeros_like(test, dtype=torch.bool)
    rows = []
    for factor in superres.FACTORS:
        low = superres.shrink(test, factor)  # (N, 28/f, 28/f)
        results = {}
        for name, enlarge in line_up.items():
            start = time.perf_counter()
            out = torch.cat([enlarge(low[i:i + chunk]) for i in range(0, len(low), chunk)])
            seconds = time.perf_counter() - start
            figures = metrics.evaluate(test, out, nobody_known)
            results[name] = {k: v for k, v in figures.items() if not k.endswith("_repaired")} | {"seconds": seconds}
        rows.append({"factor": factor, "size": superres.SIZE // factor, "results": results})
        best = max(results, key=lambda n: results[n]["psnr"])
        print(f"  {superres.SIZE // factor}x{superres.SIZE // factor} -> 28x28: best {best} "
              f"{results[best]['psnr']:.2f} dB, bicubic {results['bicubic']['psnr']:.2f} dB", flush=True)
    return rows


def run_clean(train: torch.Tensor, test: torch.Tensor, models: dict) -> list[dict]:
    """Clean reconstruction through each bottleneck model and through PCA with as many components."""
    everything = torch.ones_like(test, dtype=torch.bool)
    rows = []
    for name, model in models.items():
        if not has_code(model):
            continue
        d = model.cfg.code_size
        ours = benchmark.one_shot(model).run(test, everything, test)
        pca = pca_reconstruct(fit_pca(train, d), test)
        for method, output in ((name, ours), (f"PCA-{d}", pca)):
            figures = metrics.evaluate(test, output, everything)
            rows.append({"method": method, "code_size": d,
                         **{k: figures[k] for k in ("psnr", "ssim", "mse")}})
    return rows


def one_digit_latency_ms(method: benchmark.Method, test: torch.Tensor) -> float:
    """Median wall time of one method on one digit with lecture dropout p=0.5, in ms."""
    damaged, known = benchmark.Condition("dropout", 0.5).apply(test[:1])
    observed = benchmark.observe(test[:1], known)
    times = []
    with torch.inference_mode():
        for _ in range(LATENCY_RUNS + 3):
            start = time.perf_counter()
            method.run(damaged, known, observed)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[3:])


def epoch_seconds(train: torch.Tensor) -> dict:
    """One epoch of the lecture's standard AE (d=30, batch 256, Adam): pre-loaded tensors (ae_core.train)
    against the notebook's loop, a DataLoader that makes each digit a PIL image and applies
    ToTensor + Normalize per sample (what torchvision's MNIST dataset does)."""
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    class PerSampleDigits(Dataset):
        def __init__(self, images: torch.Tensor):
            self.pixels = ((images + 1) / 2 * 255).round().to(torch.uint8).numpy()  # (N, 28, 28)
            self.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])

        def __len__(self):
            return len(self.pixels)

        def __getitem__(self, i):
            return self.transform(Image.fromarray(self.pixels[i], mode="L")), 0

    torch.manual_seed(0)
    model = build_model(ModelConfig(code_size=30))
    start = time.perf_counter()
    fit(model, train, TrainConfig(epochs=1))
    preloaded = time.perf_counter() - start

    model = build_model(ModelConfig(code_size=30))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for img, _ in DataLoader(PerSampleDigits(train), batch_size=256, shuffle=True):
        img = img.view(img.size(0), -1)
        loss = torch.nn.functional.mse_loss(model(img).view(img.size(0), -1), img)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    per_sample = time.perf_counter() - start
    return {"n_train": len(train), "preloaded_s": preloaded, "dataloader_s": per_sample,
            "ratio": per_sample / preloaded}


def run_speed(test: torch.Tensor, train: torch.Tensor, methods: dict, repair_rows: list[dict]) -> dict:
    at_half = next(r for r in repair_rows if r["condition"] == "dropout p=0.5")["results"]
    return {
        "latency_ms": {name: one_digit_latency_ms(m, test) for name, m in methods.items()},
        "throughput_digits_per_s": {name: len(test) / r["seconds"] for name, r in at_half.items() if r},
        "epoch": epoch_seconds(train),
    }


def describe_models(models: dict, cards: dict) -> dict:
    return {name: {"arch": card["model"]["arch"], "code_size": card["model"]["code_size"] if has_code(model) else None,
                   "parameters": sum(p.numel() for p in model.parameters()),
                   "megabytes": (checkpoint.default_dir() / card["weights"]).stat().st_size / 1e6,
                   "training": card["training"], "epochs": card["epochs"]}
            for (name, model), card in zip(models.items(), cards.values(), strict=True)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_N} test digits only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    parser.add_argument("--report", type=Path, default=REPORT_PATH, help="Markdown report (its PNG goes beside it)")
    parser.add_argument("--only", choices=["superres"], default=None,
                        help="measure only this part and update it in the stored results and the report")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for biharmonic inpainting (default: every core)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    train_set, test_set = load_mnist(train=True), load_mnist(train=False)
    test = test_set.images[:QUICK_N] if args.quick else test_set.images
    train = train_set.images[:10_000] if args.quick else train_set.images
    print(f"{test_set.note} Benchmarking on {len(test)} test digits.", flush=True)

    loaded = {name: checkpoint.load(name) for name in checkpoint.list_checkpoints()}
    models = {name: model for name, (model, _) in loaded.items()}
    cards = {name: card for name, (_, card) in loaded.items()}
    workers = max(1, args.workers)
    if args.only == "superres":
        print("super-resolution:", flush=True)
        results = json.loads(args.out.read_text())
        results["superres"] = run_superres(test, models, cards)
        results["superres_meta"] = _superres_meta(test_set, len(test), argv_command(argv), started)
        args.out.write_text(json.dumps(_json_safe(results), indent=1) + "\n")
        update_section("superres", render_superres(results), args.report)
        print(f"wrote {args.out}, {args.report} in {time.perf_counter() - started:.0f} s")
        return 0
    repairers = {n: m for n, m in models.items() if not superres.is_superres_model(cards[n])}  # not for repair
    methods = repair_methods(repairers, workers)

    print("repair:", flush=True)
    repair_rows = run_repair(test, methods)
    print("clean reconstruction vs PCA:", flush=True)
    clean_rows = run_clean(train, test, repairers)
    print("super-resolution:", flush=True)
    superres_rows = run_superres(test, models, cards)
    print("speed:", flush=True)
    speed = run_speed(test, train, methods, repair_rows)

    results = {
        "meta": {"n_test": len(test), "n_train_pca": len(train), "source": test_set.source, "note": test_set.note,
                 "quick": args.quick, "workers": workers,
                 "created": datetime.now(UTC).isoformat(timespec="seconds"),
                 "seconds": round(time.perf_counter() - started, 1), "torch_threads": torch.get_num_threads(),
                 "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, CPU",
                 "versions": {"python": platform.python_version(), "torch": torch.__version__}},
        "models": describe_models(repairers, {n: cards[n] for n in repairers}),
        "repair": repair_rows,
        "clean": clean_rows,
        "speed": speed,
        "superres": superres_rows,
        "superres_meta": _superres_meta(test_set, len(test), argv_command(argv), started),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(_json_safe(results), indent=1) + "\n")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    plot = args.report.with_name(PLOT.name)
    write_plot(results, plot)
    update_section("quality", render_report(results, plot.name), args.report)
    update_section("superres", render_superres(results), args.report)
    print(f"wrote {args.out}, {args.report}, {plot} in {time.perf_counter() - started:.0f} s")
    return 0


def argv_command(argv: list[str] | None) -> str:
    """This run's command line as the report quotes it."""
    return " ".join(["python bench/quality.py", *(sys.argv[1:] if argv is None else argv)])


def _superres_meta(test_set, n_test: int, command: str, started: float) -> dict:
    """When, how and on what the super-resolution figures were measured (they can be updated on their own)."""
    return {"n_test": n_test, "note": test_set.note, "command": command,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1)}


def _json_safe(value):
    """NaN has no JSON form: store a figure that does not exist as null."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


# ---------------------------------------------------------------------------------------------------
# The report


def _rows(results: dict, kind: str) -> list[dict]:
    return [r for r in results["repair"] if r["kind"] == kind]


def _method_names(results: dict) -> list[str]:
    return list(results["repair"][0]["results"])


def _fmt(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table_by_rate(results: dict, kind: str, key: str, digits: int = 2) -> str:
    """Methods down, damage rates across; the best of each column in bold."""
    rows = _rows(results, kind)
    lower_is_better = key.startswith("mse")
    lines = ["| method | " + " | ".join(f"p = {r['level']:g}" for r in rows) + " |",
             "|---|" + "---:|" * len(rows)]
    best = {}
    for r in rows:
        scored = {n: v[key] for n, v in r["results"].items() if v and v[key] is not None}
        best[r["condition"]] = (min if lower_is_better else max)(scored, key=scored.get)
    for name in _method_names(results):
        cells = []
        for r in rows:
            v = r["results"][name]
            cell = _fmt(None if v is None else v[key], digits)
            cells.append(f"**{cell}**" if best[r["condition"]] == name else cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _table_single(results: dict, kind: str) -> str:
    row = _rows(results, kind)[0]
    keys = ("psnr", "ssim", "mse", "psnr_repaired", "ssim_repaired", "mse_repaired")
    lines = ["| method | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for name, v in row["results"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(None if v is None else v[k], 4 if "mse" in k else 2)
                                                 for k in keys) + " |")
    return f"**{row['condition']}**\n\n" + "\n".join(lines)


def _verdicts(results: dict) -> dict[str, benchmark.Verdict]:
    """Each condition's Verdict on whole-image PSNR, by condition label."""
    return {r["condition"]: benchmark.verdict({n: v and v["psnr"] for n, v in r["results"].items()})
            for r in results["repair"]}


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.1f} dB" if round(low, 1) == round(high, 1) else f"{low:.1f} to {high:.1f} dB"


def short_answer(results: dict) -> str:
    """The report's opening: does an autoencoder beat the best classical method, which one, where.
    Every sentence is computed from the figures."""
    verdicts = _verdicts(results)
    leads = benchmark.margins(verdicts)
    won = [c for c, lead in leads.items() if lead > 0]
    yes = "**Yes**" if len(won) == len(leads) else "**In part**" if won else "**No**"
    text = [f"- **Does an autoencoder beat the best classical method?** {yes}: in {len(won)} of the "
            f"{len(leads)} conditions where classical inpainting applies (whole-image PSNR)."]
    if won:
        leaders = [verdicts[c].best_learned for c in won]
        top = max(set(leaders), key=leaders.count)
        classical = sorted({verdicts[c].best_classical for c in leads})
        text.append(f"- **Which one?** `{top}`, the best learned method in {leaders.count(top)} of them, by "
                    f"{_span(list(benchmark.margins(verdicts, top).values()))} over the best classical method "
                    f"({', '.join(classical)}).")
    else:
        text.append("- **Which one?** None: the best classical method wins every comparison.")
    lecture = benchmark.margins(verdicts, benchmark.LECTURE_DENOISING)
    if lecture:
        losses = [-lead for lead in lecture.values() if lead < 0]
        text.append(f"  The lecture's own denoising AE (`{benchmark.LECTURE_DENOISING}`) "
                    + (f"loses to the best classical method in {len(losses)} of the {len(lecture)} conditions, "
                       f"by {_span(losses)}." if losses else "beats it in every condition."))
    text += ["- **At which damage levels?** Below: every condition, its best classical and best learned "
             "method, and the margin between them.", "",
             "| damage | best classical | PSNR (dB) | best learned | PSNR (dB) | margin (dB) "
             f"| `{benchmark.LECTURE_DENOISING}` vs best classical (dB) |",
             "|---|---|---:|---|---:|---:|---:|"]
    for condition, v in verdicts.items():
        classical = "n/a" if v.best_classical is None else v.best_classical
        lecture_gap = v.margin(benchmark.LECTURE_DENOISING)
        text.append(f"| {condition} | {classical} | {_fmt(v.scores.get(v.best_classical))} | `{v.best_learned}` "
                    f"| {v.scores[v.best_learned]:.2f} | {_signed(v.margin())} | {_signed(lecture_gap)} |")
    return "\n".join(text)


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def render_report(results: dict, plot_name: str) -> str:
    meta, speed = results["meta"], results["speed"]
    models = "\n".join(
        f"| `{name}` | {m['arch']} | {m['code_size'] or 'none'} | {m['parameters']:,} | {m['megabytes']:.2f} "
        f"| {m['training']['noise']} {_level_range(m['training'])} | {m['epochs']} |"
        for name, m in results["models"].items())
    clean = "\n".join(f"| {r['method']} | {r['code_size']} | {r['psnr']:.2f} | {r['ssim']:.3f} | {r['mse']:.4f} |"
                      for r in results["clean"])
    latency = speed["latency_ms"]
    throughput = speed["throughput_digits_per_s"]
    speed_rows = "\n".join(f"| {name} | {latency[name]:.2f} | {_fmt(throughput.get(name), 0)} |" for name in latency)
    epoch = speed["epoch"]
    return f"""# Benchmarks

Generated by `python bench/quality.py{' --quick' if meta['quick'] else ''}` on {meta['created']}
in {meta['seconds']:.0f} s ({meta['machine']}; torch {meta['versions']['torch']}).
Raw figures: `bench/results/quality.json`.
Data: {meta['note']} {meta['n_test']:,} test digits{' (a --quick slice)' if meta['quick'] else ''}.

**Convention** (`../shared/GUIDE.md`, section 5): damage seeded per digit, every method repairs the same
damaged digits; outputs compared with the clean digit on [0, 1] pixels; PSNR (peak 1) per image, then
averaged; SSIM from scikit-image (`data_range=1`); "repaired" = the damaged pixels only. Autoencoders
get the damaged image (lecture dropout: kept pixels x 1/(1-p), dropped 0); the classical methods
(Telea, Navier-Stokes, biharmonic) and manifold projection get the known pixels and the mask, never
what lies under it; the U-Nets (`repair_unet`, `repair_resunet`) get the damaged image and the mask.
One-shot outputs are scored as they are.

## The short answer

{short_answer(results)}

![PSNR vs p]({plot_name})

## The models

| checkpoint | architecture | code size | parameters | MB | trained on | epochs |
|---|---|---:|---:|---:|---|---:|
{models}

`projection: X` is manifold projection with model X: {inference.PROJECTION_STEPS} iterations of the model
on the unknown pixels, the known ones pasted back each time (the lecture's "closest point on the
manifold"). Biharmonic is scikit-image's `inpaint_biharmonic`: the smoothest surface (Δ²u = 0)
through the known pixels. Also tried, and left out for being no stronger: OpenCV's `xphoto` FSR
inpainting, no better than Navier-Stokes at 60-2600 ms per digit (`../shared/GUIDE.md`, section 7);
SciPy's `griddata` on the known pixels, measured once on the first 300 test digits under lecture
dropout: Clough-Tocher cubic ties biharmonic at p = 0.5 (22.47 vs 22.48 dB) and trails it at p = 0.1
(31.83 vs 32.53) and p = 0.9 (13.59 vs 13.94); Delaunay-linear trails it at every p.

## Lecture dropout

PSNR, whole image (dB):

{_table_by_rate(results, "dropout", "psnr")}

PSNR, repaired pixels only (dB):

{_table_by_rate(results, "dropout", "psnr_repaired")}

SSIM, whole image:

{_table_by_rate(results, "dropout", "ssim", 3)}

SSIM, repaired pixels only:

{_table_by_rate(results, "dropout", "ssim_repaired", 3)}

MSE, whole image:

{_table_by_rate(results, "dropout", "mse", 4)}

MSE, repaired pixels only:

{_table_by_rate(results, "dropout", "mse_repaired", 4)}

## Plain masking (dropped pixels set to background, no rescaling)

PSNR, whole image (dB):

{_table_by_rate(results, "mask", "psnr")}

PSNR, repaired pixels only (dB):

{_table_by_rate(results, "mask", "psnr_repaired")}

SSIM, whole image:

{_table_by_rate(results, "mask", "ssim", 3)}

MSE, whole image:

{_table_by_rate(results, "mask", "mse", 4)}

## Grey patch and Gaussian noise

{_table_single(results, "patch")}

{_table_single(results, "gaussian")}

Gaussian noise touches every pixel, so nothing is known: inpainting has nothing to start from (n/a),
and "repaired" means the whole image.

## Clean reconstruction through a bottleneck vs PCA with as many components

PCA fitted on {meta['n_train_pca']:,} training digits.

| method | code size | PSNR (dB) | SSIM | MSE |
|---|---:|---:|---:|---:|
{clean}

## Speed

One digit: median of {LATENCY_RUNS} calls on one digit with dropout p = 0.5. Throughput: the whole
dropout p = 0.5 run above ({meta['n_test']:,} digits; models in chunks of {benchmark.CHUNK}, OpenCV one
digit at a time, biharmonic one digit at a time, spread over {_processes(meta.get('workers', 1))}).

| method | one digit (ms) | throughput (digits/s) |
|---|---:|---:|
{speed_rows}

One training epoch of the lecture's standard AE ({epoch['n_train']:,} digits, batch 256, Adam):
pre-loaded tensors (`ae_core.train.fit`) {epoch['preloaded_s']:.2f} s; the notebook's per-sample
DataLoader (PIL image, ToTensor, Normalize per digit) {epoch['dataloader_s']:.2f} s: **{epoch['ratio']:.1f}x** slower.
"""


def _processes(n: int) -> str:
    return "one process" if n == 1 else f"{n} processes"


def _level_range(training: dict) -> str:
    if training["noise"] == "none":
        return ""
    if training.get("p_max") is not None:
        return f"{training['p']:g}-{training['p_max']:g}"
    return f"{training['p']:g}"


def write_plot(results: dict, path: Path) -> None:
    """PSNR vs p for lecture dropout and plain masking, one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    colours = [*plt.cm.tab10.colors, "black", "goldenrod", "navy"]  # one per method: more than tab10's ten
    for ax, kind in zip(axes, ("dropout", "mask"), strict=True):
        rows = _rows(results, kind)
        levels = [r["level"] for r in rows]
        ax.set_prop_cycle(color=colours)
        for name in _method_names(results):
            values = [np.nan if r["results"][name] is None else r["results"][name]["psnr"] for r in rows]
            style = "--" if name in benchmark.CLASSICAL else (":" if name == benchmark.NO_REPAIR else "-")
            ax.plot(levels, values, style, marker="o", markersize=3, label=name)
        ax.set_title(f"{'lecture dropout' if kind == 'dropout' else 'plain masking'}: whole-image PSNR")
        ax.set_xlabel("p (fraction of pixels dropped)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("PSNR (dB), higher is better")
    axes[1].legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def render_superres(results: dict) -> str:
    """The report's super-resolution section: PSNR and SSIM of every method at each factor."""
    meta, rows = results["superres_meta"], results["superres"]
    methods = list(rows[0]["results"])
    header = " | ".join(f"{r['size']}x{r['size']} PSNR (dB) | SSIM" for r in rows)
    lines = [f"| method | {header} |", "|---|" + "---:|" * (2 * len(rows))]
    for name in methods:
        cells = " | ".join(f"{r['results'][name]['psnr']:.2f} | {r['results'][name]['ssim']:.3f}" for r in rows)
        lines.append(f"| {name} | {cells} |")
    margins = []
    for r in rows:
        learned = {n: v["psnr"] for n, v in r["results"].items() if n not in superres.METHODS}
        best = max(learned, key=learned.get)
        margins.append(f"{r['size']}x{r['size']}: `{best}` {learned[best] - r['results']['bicubic']['psnr']:+.2f} dB")
    command = meta["command"]
    table = "\n".join(lines)
    return f"""## Super-resolution (the lecture's Fig. 9)

Generated by `{command}` on {meta['created']}. {meta['note']} {meta['n_test']:,} test digits.

Each test digit is shrunk by area averaging to 14x14 or 7x7 and brought back to 28x28: nearest
(each pixel a block), bicubic (OpenCV), the super-resolution model (fed the nearest enlargement),
and manifold projection (a bottleneck model iterated {inference.PROJECTION_STEPS} times, each output corrected
block by block so that shrinking it gives the input again). Whole-image figures, the one convention.

Best learned method over bicubic: {"; ".join(margins)}.

{table}
"""


if __name__ == "__main__":
    sys.exit(main())
