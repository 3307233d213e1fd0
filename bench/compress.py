"""The compression benchmark: the encoder as an image compressor, bits per digit against mean PSNR.

    .venv/bin/python bench/compress.py            # the full MNIST test set (AE_DATA_DIR), about 5 minutes
    .venv/bin/python bench/compress.py --quick    # the first 1,000 test digits

Every checkpoint with a code compresses the test digits at every code format (float32, float16, 8, 6
and 4 bits per code unit, with the ranges stored in checkpoints/<name>.codec.json); PCA with as many
components is quantised the same way (fitted on the training digits); Pillow's JPEG and WebP run through
their quality sweeps and PNG once, counted as whole files and as their payloads alone (ae_core.compress).
Scored by the one convention (PSNR and SSIM per digit, then averaged). The image codecs run in one
process per core. Writes bench/results/compress.json (read by the Compress page) and the "compress"
section of docs/BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: ae_core lives at the repository root

from ae_core import checkpoint, compress  # noqa: E402
from ae_core.baselines import fit_pca  # noqa: E402
from ae_core.data import data_dir, load_mnist  # noqa: E402
from ae_core.models import has_code  # noqa: E402
from bench.report import REPORT as REPORT_PATH  # noqa: E402
from bench.report import update_section  # noqa: E402

RESULTS = REPO / "bench" / "results" / "compress.json"
QUICK_N = 1000
COMMAND = "AE_DATA_DIR=../shared/mnist .venv/bin/python bench/compress.py"
SWEEPS = {"JPEG": compress.JPEG_QUALITIES, "WebP": compress.WEBP_QUALITIES, "PNG": (None,)}

_DIGITS: np.ndarray | None = None  # the test digits in each worker process


def _init_worker(digits: np.ndarray) -> None:
    global _DIGITS
    _DIGITS = digits
    torch.set_num_threads(1)


def _codec_point(task: tuple[str, int | None]) -> dict:
    """One (codec, quality) over every test digit: mean bits (file, payload), PSNR and SSIM."""
    codec, quality = task
    row = compress.codec_sweep(_DIGITS, codec, (quality,))[0]
    return {"quality": quality, **{k: round(float(np.mean(v)), 4) for k, v in row.items() if k != "quality"},
            "min_file_bits": float(row["file_bits"].min()), "max_file_bits": float(row["file_bits"].max())}


def run_codecs(test: np.ndarray, workers: int) -> dict[str, list[dict]]:
    """Every point of every image codec's sweep, by codec."""
    tasks = [(codec, q) for codec, qualities in SWEEPS.items() for q in qualities]
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(test,)) as pool:
        points = list(pool.map(_codec_point, tasks))
    out: dict[str, list[dict]] = {codec: [] for codec in SWEEPS}
    for (codec, _), point in zip(tasks, points, strict=True):
        out[codec].append(point)
    return out


def _points(dim: int, test: np.ndarray, decoded: dict[str, np.ndarray]) -> list[dict]:
    rows = []
    for fmt, out in decoded.items():
        figures = compress.score(test, out)
        rows.append({"format": fmt, "bits": compress.code_bits(dim, fmt),
                     "psnr": round(float(figures["psnr"].mean()), 4), "ssim": round(float(figures["ssim"].mean()), 4)})
    return rows


def run_models(train: np.ndarray, test: np.ndarray, source: str) -> dict[str, dict]:
    """Each checkpoint with a code at every format, with the ranges stored beside it (computed here, and
    said so, when they are missing or stale)."""
    out = {}
    for name in checkpoint.list_checkpoints():
        model, card = checkpoint.load(name)
        if not has_code(model):
            continue
        try:
            codec = compress.load_codec(name)
            stored = not compress.is_stale(codec, card)
        except ValueError:
            stored = False
        if not stored:
            print(f"  {name}: no current codec file, ranges computed from the training digits", flush=True)
            codec = compress.summarize(model, train, source, card["sha256"])
        low, high = compress.ranges_of(codec)
        points = _points(model.cfg.code_size, test, compress.ae_roundtrip(model, test, low, high))
        out[name] = {"arch": model.cfg.arch, "dim": model.cfg.code_size, "sha256": card["sha256"],
                     "ranges_stored": stored, "range": codec["range"], **compress.side_information(model),
                     "points": points}
        print(f"  {name}: " + ", ".join(f"{p['format']} {p['bits']} bits {p['psnr']:.2f} dB" for p in points),
              flush=True)
    return out


def run_pca(train: np.ndarray, test: np.ndarray, dims: list[int]) -> dict[str, dict]:
    """PCA with each code size, quantised the same way, fitted once on the training digits."""
    if not dims:
        return {}
    pca = fit_pca(train, max(dims))
    out = {}
    for dim in sorted(set(dims)):
        codec = compress.pca_codec(pca, train, dim)
        points = _points(dim, test, compress.pca_roundtrip(codec, test))
        out[str(dim)] = {"dim": dim, "decoder_bytes": codec.decoder_bytes, "points": points}
        print(f"  PCA-{dim}: " + ", ".join(f"{p['format']} {p['psnr']:.2f} dB" for p in points), flush=True)
    return out


def equal_psnr(results: dict) -> list[dict]:
    """For each model and format: the bits JPEG and WebP need (payload, whole file) for the same mean PSNR,
    interpolated on their sweeps; `at_least` marks a codec whose smallest file already scores higher."""
    rows = []
    for name, model in results["models"].items():
        pca = {p["format"]: p for p in results["pca"][str(model["dim"])]["points"]}
        for point in model["points"]:
            row = {"model": name, "format": point["format"], "bits": point["bits"], "psnr": point["psnr"],
                   "pca_psnr": pca[point["format"]]["psnr"]}
            for codec in ("JPEG", "WebP"):
                row[codec] = compress.bits_for_psnr(results["codecs"][codec], point["psnr"])
            rows.append(row)
    return rows


def _bits(value: float | None, at_least: bool) -> str:
    if value is None:
        return "never"
    return f"{'≤ ' if at_least else ''}{value:,.0f}"


def render_report(results: dict) -> str:
    meta, models, codecs = results["meta"], results["models"], results["codecs"]
    lines = [
        "## Compression: the encoder as an image compressor",
        "",
        f"Generated by `{COMMAND}{' --quick' if meta['quick'] else ''}` on {meta['created']} "
        f"in {meta['seconds']:.0f} s ({meta['machine']}). Raw figures: `bench/results/compress.json` (read by the "
        "Compress page).",
        f"Data: {meta['note']} {meta['n_test']:,} test digits; PCA and the code ranges from "
        f"{meta['n_train']:,} training digits.",
        "",
        "**What is counted.** An autoencoder sends a digit as its code: d numbers as float32 or float16, or "
        "each quantised uniformly to 8, 6 or 4 bits within its unit's range (the 0.1th to 99.9th percentile "
        "of the training codes, `checkpoints/<name>.codec.json`). Bits per digit = d x bits per unit, a "
        "fixed-length code without entropy coding. PCA with as many components is quantised the same way. "
        "JPEG (optimised Huffman tables), WebP (method 6) and PNG (optimize) compress the 28x28 uint8 digit "
        "on the app's fixed grey scale, counted as whole files and as their payload alone (JPEG: the "
        "entropy-coded scan data; PNG: the IDAT data; WebP: the VP8 bitstream). PSNR and SSIM on [0, 1] "
        "pixels per digit, then averaged (`../shared/GUIDE.md`, section 5). The raw uint8 digit is "
        f"{compress.RAW_BITS:,} bits.",
        "",
        "**Sent once, not per digit** (the codec's own size): the decoder's weights and the 2·d ranges.",
        "",
        "| model | code size | decoder parameters | decoder (float32) | ranges |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, m in models.items():
        lines.append(f"| `{name}` | {m['dim']} | {m['decoder_parameters']:,} | {m['decoder_bytes']:,} bytes | "
                     f"{m['range_bytes']:,} bytes |")
    for key, p in results["pca"].items():
        lines.append(f"| PCA-{key} | {p['dim']} | {p['decoder_bytes'] // 4:,} | {p['decoder_bytes']:,} bytes | "
                     f"{2 * p['dim'] * 4:,} bytes |")
    lines += ["", "### The short answer", ""]
    lines += short_answer(results)
    lines += [
        "",
        "### Bits for the same PSNR",
        "",
        "Each model at each format, PCA at the same bits, and the bits JPEG and WebP need for the same mean "
        "PSNR (interpolated in log bits on their sweeps; \"≤\": even the codec's smallest file scores higher; "
        "\"never\": no quality of the codec gets there).",
        "",
        "| model | format | bits per digit | PSNR (dB) | PCA same bits (dB) | JPEG scan data | JPEG file | "
        "WebP bitstream | WebP file |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["equal_psnr"]:
        j, w = row["JPEG"], row["WebP"]
        lines.append(f"| `{row['model']}` | {compress.FORMAT_LABELS[row['format']]} | {row['bits']:,} | "
                     f"{row['psnr']:.2f} | {row['pca_psnr']:.2f} | {_bits(j['payload'], j['at_least'])} | "
                     f"{_bits(j['file'], j['at_least'])} | {_bits(w['payload'], w['at_least'])} | "
                     f"{_bits(w['file'], w['at_least'])} |")
    lines += ["", "### The image codecs", "",
              "| codec | quality | file (bits) | payload (bits) | container (bits) | PSNR (dB) | SSIM |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for codec, sweep in codecs.items():
        for p in sweep:
            quality = "lossless" if p["quality"] is None else p["quality"]
            lines.append(f"| {codec} | {quality} | {p['file_bits']:,.0f} | {p['payload_bits']:,.0f} | "
                         f"{p['file_bits'] - p['payload_bits']:,.0f} | {p['psnr']:.2f} | {p['ssim']:.3f} |")
    lines += ["", "PNG is lossless: every MNIST digit comes back exactly (100 dB is the convention's cap, "
              "MSE floored at 1e-10)."]
    return "\n".join(lines) + "\n"


def codec_phrase(codec: str, need: dict, sweep: list[dict]) -> str:
    """How many bits `codec` needs for a PSNR, in words: its payload and its whole file."""
    payload = "scan data" if codec == "JPEG" else "bitstream"
    if need["file"] is None:
        return f"{codec} never gets there"
    if need["at_least"]:
        low = min(sweep, key=lambda p: p["file_bits"])
        return (f"{codec}'s smallest file (quality {low['quality']}) already scores {low['psnr']:.2f} dB with "
                f"{low['payload_bits']:,.0f} bits of {payload} ({low['file_bits']:,.0f} as a file)")
    return f"{codec} needs {need['payload']:,.0f} bits of {payload} ({need['file']:,.0f} as a file)"


def portable(note: str) -> str:
    """A data note with the MNIST folder relative to the repository, so the results name no absolute path."""
    folder = data_dir()
    if folder is None or not folder.is_absolute():
        return note
    return note.replace(str(folder), os.path.relpath(folder.resolve(), REPO))


def short_answer(results: dict) -> list[str]:
    """A few computed sentences: each model at 8 bits per unit against PCA, JPEG and WebP at its PSNR."""
    rows = {(r["model"], r["format"]): r for r in results["equal_psnr"]}
    codecs = results["codecs"]
    out = []
    for name, model in results["models"].items():
        q8 = rows[(name, "q8")]
        best = max(model["points"], key=lambda p: p["psnr"])
        text = (f"- **`{name}`** (d = {model['dim']}): at 8 bits per unit, {q8['bits']:,} bits per digit, "
                f"{q8['psnr']:.2f} dB (its float32 code: {best['psnr']:.2f} dB; PCA at the same bits "
                f"{q8['pca_psnr']:.2f} dB). For that PSNR " + "; ".join(
                    codec_phrase(c, q8[c], codecs[c]) for c in ("JPEG", "WebP")) + ".")
        webp = q8["WebP"]["file"] if not q8["WebP"]["at_least"] else None
        even = compress.break_even_digits(model["decoder_bytes"], q8["bits"], webp)
        if even is not None:
            text += (f" Its decoder ({model['decoder_bytes']:,} bytes, sent once) is paid back against WebP "
                     f"files after {even:,.0f} digits.")
        if q8["bits"] >= compress.RAW_BITS:
            text += f" Its code is larger than the raw {compress.RAW_BITS:,}-bit digit: no compressor."
        elif all(q8[c]["payload"] is not None and q8[c]["payload"] < q8["bits"] for c in ("JPEG", "WebP")):
            text += " Both codecs' payloads are smaller than this code at its quality: no compressor worth the name."
        for c in ("JPEG", "WebP"):
            if q8[c]["at_least"] and q8[c]["payload"] <= q8["bits"]:
                text += (f" {c}'s smallest payload is no larger and scores higher: {c} beats this code on size "
                         "and quality.")
        out.append(text)
    at_equal_psnr = [r for r in results["equal_psnr"] if all(
        not r[c]["at_least"] and r[c]["payload"] is not None for c in ("JPEG", "WebP"))]
    wins = [(min(r["JPEG"]["payload"], r["WebP"]["payload"]) / r["bits"], r) for r in at_equal_psnr]
    if wins:
        ratio, r = max(wins, key=lambda w: w[0])
        out.append(f"- **The largest lead**: `{r['model']}` at {compress.FORMAT_LABELS[r['format']]}, "
                   f"{r['bits']:,} bits for {r['psnr']:.2f} dB, where JPEG needs {r['JPEG']['payload']:,.0f} bits "
                   f"of scan data and WebP {r['WebP']['payload']:,.0f} of bitstream: {ratio:.1f}x the code or more, "
                   "before any header.")
    top = max(p["psnr"] for p in codecs["JPEG"])
    top_webp = max(p["psnr"] for p in codecs["WebP"])
    ceiling = max(p["psnr"] for m in results["models"].values() for p in m["points"])
    out.append(f"- **The ceiling**: no code format takes any model past {ceiling:.2f} dB (the float32 code); "
               f"JPEG reaches {top:.2f} dB and WebP {top_webp:.2f} dB at quality 100, PNG is lossless. The "
               "autoencoder buys its small code with a fixed quality, and only for digits like its training set.")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_N} test digits only")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results JSON (default: {RESULTS})")
    parser.add_argument("--report", type=Path, default=REPORT_PATH, help=f"Markdown report (default: {REPORT_PATH})")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for the image codecs (default: every core)")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite the report's section from the results JSON already in --out")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.render:
        results = json.loads(args.out.read_text())
        results["equal_psnr"] = equal_psnr(results)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        update_section("compress", render_report(results), args.report)
        print(f"wrote {args.report} from {args.out}")
        return 0

    train_set, test_set = load_mnist(train=True), load_mnist(train=False)
    print(portable(test_set.note), flush=True)
    train = train_set.images.numpy()  # (60000, 28, 28)
    test = test_set.images.numpy()[:QUICK_N] if args.quick else test_set.images.numpy()  # (N, 28, 28)

    print("models:", flush=True)
    models = run_models(train, test, train_set.source)
    print("PCA:", flush=True)
    pca = run_pca(train, test, [m["dim"] for m in models.values()])
    print("image codecs:", flush=True)
    codecs = run_codecs(test, max(1, args.workers))
    for codec, sweep in codecs.items():
        print(f"  {codec}: " + ", ".join(f"q{p['quality']} {p['payload_bits']:.0f}/{p['file_bits']:.0f} bits "
                                         f"{p['psnr']:.2f} dB" for p in sweep), flush=True)
    results = {
        "meta": {"n_test": len(test), "n_train": len(train), "source": test_set.source, "note": portable(test_set.note),
                 "quick": args.quick, "workers": args.workers, "raw_bits": compress.RAW_BITS,
                 "created": datetime.now(UTC).isoformat(timespec="seconds"),
                 "seconds": round(time.perf_counter() - started, 1),
                 "machine": f"{platform.machine()}, {args.workers} processes, CPU",
                 "versions": {"python": platform.python_version(), "torch": torch.__version__,
                              "pillow": __import__("PIL").__version__}},
        "models": models,
        "pca": pca,
        "codecs": codecs,
    }
    results["equal_psnr"] = equal_psnr(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    update_section("compress", render_report(results), args.report)
    print("\n".join(short_answer(results)))
    print(f"wrote {args.out}, {args.report} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
