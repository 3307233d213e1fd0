"""ae_core.benchmark: every method repairs the same damage, sees only the known pixels, and is scored by
the one convention; and bench/quality.py's report says what the numbers say."""

import pytest
import torch

from ae_core import benchmark, metrics
from ae_core.config import ModelConfig
from ae_core.models import build_model
from bench import quality
from tests.conftest import synthetic_digits


class Spy:
    """A repair method that records what it was given and returns the observed (known-only) pixels."""

    def __init__(self):
        self.calls = []
        self.method = benchmark.Method(self.run)

    def run(self, damaged, known, observed):
        self.calls.append((damaged.clone(), known.clone(), observed.clone()))
        return observed


def test_standard_conditions_cover_the_issue():
    labels = [c.label for c in benchmark.standard_conditions()]
    assert labels[:5] == [f"dropout p={p}" for p in (0.1, 0.3, 0.5, 0.7, 0.9)]
    assert labels[5:10] == [f"mask p={p}" for p in (0.1, 0.3, 0.5, 0.7, 0.9)]
    assert labels[10:] == ["grey patch 10x10", "gaussian sigma=0.5"]


def test_damage_is_seeded_per_digit_so_slices_agree():
    clean = synthetic_digits(8)
    condition = benchmark.Condition("dropout", 0.5)
    whole, known = condition.apply(clean, seed=0)
    part, part_known = condition.apply(clean[5:], seed=5)
    torch.testing.assert_close(whole[5:], part)
    assert torch.equal(known[5:], part_known)


@pytest.mark.parametrize("condition", benchmark.standard_conditions(), ids=lambda c: c.label)
def test_every_method_gets_the_same_damage_and_never_the_hidden_pixels(condition):
    clean = synthetic_digits(6)
    first, second = Spy(), Spy()
    benchmark.compare(clean, condition, {"first": first.method, "second": second.method})
    (d1, k1, o1), (d2, k2, o2) = first.calls[0], second.calls[0]
    assert torch.equal(d1, d2) and torch.equal(k1, k2) and torch.equal(o1, o2)
    assert torch.equal(o1[k1], clean[k1])  # the known pixels, as they are
    assert torch.all(o1[~k1] == 0)  # nothing of what lies under the damage


def test_figures_follow_the_convention():
    clean = synthetic_digits(6)
    condition = benchmark.Condition("mask", 0.3)
    outcome = benchmark.compare(clean, condition, {"none": benchmark.DAMAGED_AS_IS})["none"]
    damaged, known = condition.apply(clean)
    assert outcome.figures == metrics.evaluate(clean, damaged.clamp(-1, 1), known)
    assert outcome.seconds >= 0


def test_inpainting_is_not_run_where_nothing_is_known():
    clean = synthetic_digits(4)
    methods = {"Telea": benchmark.inpainting("telea"), "none": benchmark.DAMAGED_AS_IS}
    noisy = benchmark.compare(clean, benchmark.Condition("gaussian", 0.5), methods)
    assert noisy["Telea"] is None and noisy["none"] is not None
    dropped = benchmark.compare(clean, benchmark.Condition("dropout", 0.5), methods)
    assert dropped["Telea"].figures["psnr"] > dropped["none"].figures["psnr"]  # Telea does repair


def test_projection_and_one_shot_keep_shapes_and_projection_keeps_known_pixels():
    torch.manual_seed(0)
    model = build_model(ModelConfig(code_size=8))
    clean = synthetic_digits(5)
    damaged, known = benchmark.Condition("dropout", 0.5).apply(clean)
    observed = benchmark.observe(clean, known)
    with torch.inference_mode():
        projected = benchmark.projection(model, steps=3).run(damaged, known, observed)
        one_shot = benchmark.one_shot(model).run(damaged, known, observed)
    assert projected.shape == one_shot.shape == clean.shape
    assert torch.equal(projected[known], clean[known])


def test_biharmonic_in_processes_matches_one_process(monkeypatch):
    clean = synthetic_digits(6)
    damaged, known = benchmark.Condition("dropout", 0.5).apply(clean)
    observed = benchmark.observe(clean, known)
    serial = benchmark.inpainting("biharmonic").run(damaged, known, observed)
    monkeypatch.setattr(benchmark, "PARALLEL_MIN", 1)  # six digits are normally too few to be worth it
    parallel = benchmark.inpainting("biharmonic", workers=2).run(damaged, known, observed)
    assert torch.equal(serial, parallel)


def test_verdict_names_the_winner_the_best_classical_and_the_best_learned_method():
    v = benchmark.verdict({"Telea": 17.0, "Biharmonic": 22.0, "Navier-Stokes": None, "denoising AE": 20.5,
                           "best model": 26.5, benchmark.NO_REPAIR: 9.0})
    assert (v.winner, v.best_classical, v.best_learned) == ("best model", "Biharmonic", "best model")
    assert v.margin() == 4.5 and v.margin("denoising AE") == -1.5 and v.margin("Navier-Stokes") is None
    only_learned = benchmark.verdict({"Telea": None, "model": 20.0, benchmark.NO_REPAIR: 25.0})
    assert only_learned.winner == benchmark.NO_REPAIR and only_learned.best_classical is None
    assert only_learned.best_learned == "model" and only_learned.margin() is None
    with pytest.raises(ValueError, match="No method"):
        benchmark.verdict({"Telea": None})


def _tiny_results() -> dict:
    """The results dict bench/quality.py writes, from a tiny run: two untrained models, 12 digits."""
    torch.manual_seed(0)
    models = {"standard_d30": build_model(ModelConfig(code_size=4)),
              "denoising_d500": build_model(ModelConfig(code_size=6))}
    methods = quality.repair_methods(models)
    clean, train = synthetic_digits(12, seed=1), synthetic_digits(40, seed=2)
    repair = quality.run_repair(clean, methods)
    return {
        "meta": {"n_test": 12, "n_train_pca": 40, "source": "synthetic", "note": "Synthetic digits.", "quick": True,
                 "created": "today", "seconds": 1.0, "machine": "test", "versions": {"torch": torch.__version__}},
        "models": {name: {"arch": "linear", "code_size": m.cfg.code_size, "parameters": 1, "megabytes": 0.1,
                          "training": {"noise": "none", "p": 0.5, "p_max": None}, "epochs": 1}
                   for name, m in models.items()},
        "repair": repair,
        "clean": quality.run_clean(train, clean, models),
        "speed": {"latency_ms": {name: 1.0 for name in methods},
                  "throughput_digits_per_s": {name: 10.0 for name in methods},
                  "epoch": {"n_train": 40, "preloaded_s": 1.0, "dataloader_s": 5.0, "ratio": 5.0}},
    }


def test_report_has_every_method_condition_and_the_answer(tmp_path):
    results = _tiny_results()
    report = quality.render_report(results, "plot.png")
    names = list(results["repair"][0]["results"])
    assert "projection: standard_d30" in names and {"Navier-Stokes", "Biharmonic"} <= set(names)
    for name in names:
        assert f"| {name} |" in report
    assert "p = 0.9" in report and "grey patch 10x10" in report and "gaussian sigma=0.5" in report
    assert "PCA-4" in report and "PCA-6" in report and "**5.0x** slower" in report
    half = next(r for r in results["repair"] if r["condition"] == "dropout p=0.5")["results"]
    assert f"{half['Navier-Stokes']['psnr']:.2f}" in report
    # The short answer comes first and is computed: untrained models lose to classical inpainting.
    answer = report[report.index("## The short answer"):report.index("## The models")]
    assert "**Does an autoencoder beat the best classical method?** **No**: in 0 of the 11 conditions" in answer
    best = max(("Telea", "Navier-Stokes", "Biharmonic"), key=lambda n: half[n]["psnr"])
    assert f"| dropout p=0.5 | {best} | {half[best]['psnr']:.2f} |" in answer
    assert "The lecture's own denoising AE (`denoising_d500`) loses to the best classical method in 11" in answer
    quality.write_plot(results, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 10_000


def test_super_resolution_section_scores_every_method_at_both_sizes():
    """bench/quality.py's super-resolution part on 12 digits: the line-up, both factors, the margin line."""
    torch.manual_seed(0)
    sr = build_model(ModelConfig("resunet", channels=8))
    linear = build_model(ModelConfig(code_size=4))
    models = {"sr": sr, "standard_d30": linear}
    cards = {"sr": {"training": {"noise": "downsample"}}, "standard_d30": {"training": {"noise": "none"}}}
    rows = quality.run_superres(synthetic_digits(12, seed=1), models, cards, chunk=5)
    assert [(r["factor"], r["size"]) for r in rows] == [(2, 14), (4, 7)]
    assert list(rows[0]["results"]) == ["nearest", "bicubic", "sr", "projection: standard_d30"]
    meta = {"n_test": 12, "note": "Synthetic digits.", "command": "python bench/quality.py --only superres",
            "created": "today"}
    report = quality.render_superres({"superres": rows, "superres_meta": meta})
    bicubic = rows[1]["results"]["bicubic"]
    assert f"| bicubic | {rows[0]['results']['bicubic']['psnr']:.2f} |" in report
    assert f"{bicubic['psnr']:.2f} | {bicubic['ssim']:.3f} |" in report
    assert "`python bench/quality.py --only superres`" in report and "Best learned method over bicubic" in report
