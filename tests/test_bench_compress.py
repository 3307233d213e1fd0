"""bench/compress.py: its stored results cover every shipped model with a code, as it is now, and its report
says what the numbers say."""

import json

import numpy as np

from ae_core import checkpoint, compress
from ae_core.models import has_code
from bench import compress as bench
from tests.conftest import synthetic_digits


def _results() -> dict:
    return json.loads(bench.RESULTS.read_text())


def test_the_stored_results_are_the_full_run_of_the_shipped_models():
    results = _results()
    assert results["meta"]["n_test"] == 10_000 and not results["meta"]["quick"]
    assert "/work" not in json.dumps(results)  # no absolute path
    coded = [n for n in checkpoint.list_checkpoints() if has_code(checkpoint.load(n)[0])]
    assert sorted(results["models"]) == sorted(coded)
    for name, model in results["models"].items():
        assert model["sha256"] == checkpoint.read_card(name)["sha256"], f"rerun bench/compress.py for {name}"
        assert [p["format"] for p in model["points"]] == list(compress.FORMATS)
        assert str(model["dim"]) in results["pca"]
    for codec, qualities in bench.SWEEPS.items():
        assert [p["quality"] for p in results["codecs"][codec]] == list(qualities)


def test_float32_matches_the_model_cards():
    for name, model in _results()["models"].items():
        card = checkpoint.read_card(name)
        assert abs(model["points"][0]["psnr"] - card["metrics"]["clean"]["psnr"]) < 0.01  # the same reconstruction


def test_the_report_states_the_equal_psnr_comparison():
    results = _results()
    results["equal_psnr"] = bench.equal_psnr(results)
    text = bench.render_report(results)
    assert text.startswith("## Compression") and bench.COMMAND in text
    row = next(r for r in results["equal_psnr"] if r["model"] == "conv_d30" and r["format"] == "q8")
    assert row["JPEG"]["payload"] > row["bits"] and row["WebP"]["payload"] > row["bits"]
    assert f"JPEG needs {row['JPEG']['payload']:,.0f} bits of scan data" in text
    assert "JPEG beats this code on size and quality" in text  # standard_d30 at 8 bits


def test_codec_points_in_worker_processes():
    digits = synthetic_digits(3).numpy()
    out = bench.run_codecs(digits, workers=1)
    assert [p["quality"] for p in out["PNG"]] == [None] and out["PNG"][0]["psnr"] == 100.0
    assert all(p["file_bits"] > p["payload_bits"] for sweep in out.values() for p in sweep)
    assert np.isfinite([p["psnr"] for p in out["JPEG"]]).all()
