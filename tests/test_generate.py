"""Generation: Gaussians over codes, sampled with a temperature and decoded; nearest training digits."""

import json

import numpy as np
import pytest
import torch

from ae_core import checkpoint, generate
from ae_core.config import ModelConfig
from ae_core.models import build_model
from tests.conftest import synthetic_digits


def _model(code_size: int = 8, arch: str = "linear"):
    torch.manual_seed(0)
    return build_model(ModelConfig(arch=arch, code_size=code_size)).eval()


def _correlated_codes(n: int = 5000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes (n, 3), their true mean (3,), their true covariance (3, 3))."""
    mean = np.array([1.0, -2.0, 0.5])
    cov = np.array([[2.0, 0.8, 0.0], [0.8, 1.0, -0.3], [0.0, -0.3, 0.5]])
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=n), mean, cov


def test_fit_gaussian_recovers_mean_and_full_covariance():
    codes, mean, cov = _correlated_codes()
    fitted = generate.fit_gaussian(codes)
    assert fitted["n"] == 5000 and fitted["mean"].shape == (3,) and fitted["cov"].shape == (3, 3)
    np.testing.assert_allclose(fitted["mean"], mean, atol=0.06)
    np.testing.assert_allclose(fitted["cov"], cov, atol=0.1)  # off-diagonal terms too: a full covariance
    assert generate.fit_gaussian(np.array([[1.0], [3.0]]))["cov"].shape == (1, 1)  # a 1-number code


@pytest.mark.parametrize("codes", [np.zeros((1, 4)), np.zeros(5), np.zeros((3, 0)), np.array([[0.0, np.nan]] * 3)])
def test_fit_gaussian_rejects_bad_codes(codes):
    with pytest.raises(ValueError, match="Gaussian"):
        generate.fit_gaussian(codes)


def test_fit_gaussians_fits_all_and_each_class():
    codes = np.concatenate([np.random.default_rng(c).normal(10 * c, 1, size=(50, 2)) for c in range(3)])
    labels = np.repeat([0, 1, 2], 50)
    fitted = generate.fit_gaussians(codes, labels)
    assert sorted(fitted["classes"]) == ["0", "1", "2"]  # classes with no codes are left out
    for c in range(3):
        np.testing.assert_allclose(fitted["classes"][str(c)]["mean"], [10 * c, 10 * c], atol=0.5)
    assert fitted["all"]["n"] == 150 and fitted["all"]["cov"][0, 0] > 50  # spans all three clusters
    one_of_class_3 = generate.fit_gaussians(np.zeros((3, 2)), [0, 0, 3])
    assert list(one_of_class_3["classes"]) == ["0"]  # a single code has no covariance
    with pytest.raises(ValueError, match="3 codes but 2 labels"):
        generate.fit_gaussians(np.zeros((3, 2)), [0, 1])


def test_sample_follows_the_gaussian_and_the_temperature_scales_its_spread():
    codes, mean, cov = _correlated_codes()
    gaussian = generate.fit_gaussian(codes)
    drawn = generate.sample(gaussian, 20000, 1.0, seed=3)
    assert drawn.shape == (20000, 3) and drawn.dtype == np.float32
    np.testing.assert_allclose(drawn.mean(axis=0), mean, atol=0.06)
    np.testing.assert_allclose(np.cov(drawn, rowvar=False), cov, atol=0.12)
    half = generate.sample(gaussian, 20000, 0.5, seed=3)
    np.testing.assert_allclose(half - gaussian["mean"], 0.5 * (drawn - gaussian["mean"]), atol=1e-4)  # same z
    np.testing.assert_allclose(generate.sample(gaussian, 4, 0.0, seed=9), np.tile(gaussian["mean"], (4, 1)),
                               atol=1e-5)  # t = 0: the mean code
    np.testing.assert_array_equal(generate.sample(gaussian, 5, 1.0, seed=1), generate.sample(gaussian, 5, 1.0, seed=1))
    assert not np.allclose(generate.sample(gaussian, 5, 1.0, seed=1), generate.sample(gaussian, 5, 1.0, seed=2))


@pytest.mark.parametrize(("count", "temperature", "match"), [
    (0, 1.0, "number of samples"), (2.5, 1.0, "number of samples"), (3, -0.1, "temperature"),
    (3, float("nan"), "temperature"),
])
def test_sample_rejects_bad_count_and_temperature(count, temperature, match):
    gaussian = generate.fit_gaussian(_correlated_codes(50)[0])
    with pytest.raises(ValueError, match=match):
        generate.sample(gaussian, count, temperature)


def test_factor_is_a_cholesky_factor_and_rejects_what_is_no_covariance():
    cov = _correlated_codes()[2]
    chol = generate.factor(cov)
    assert np.allclose(np.triu(chol, 1), 0)
    np.testing.assert_allclose(chol @ chol.T, cov, atol=1e-5)
    assert np.isfinite(generate.factor(np.zeros((2, 2)))).all()  # a degenerate (constant) code still samples
    with pytest.raises(ValueError, match="not positive semi-definite"):
        generate.factor(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="not symmetric"):
        generate.factor(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="square matrix"):
        generate.factor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="mean has 2 numbers"):
        generate.sample({"mean": [0.0, 0.0], "cov": np.eye(3)}, 1)


def test_summarize_and_generate_per_class():
    images, labels = synthetic_digits(100), torch.arange(100) % 10
    model = _model()
    summary = generate.summarize(model, images, labels, source="synthetic", sha256="abc")
    assert summary["dim"] == 8 and summary["n_codes"] == 100 and summary["source"] == "synthetic"
    assert sorted(summary["classes"]) == [str(c) for c in range(10)]
    assert np.shape(summary["all"]["cov"]) == (8, 8) and summary["classes"]["3"]["n"] == 10
    digits = generate.generate(model, summary, 3, 6, 1.0, seed=0)
    assert digits.shape == (6, 28, 28) and digits.min() >= -1 and digits.max() <= 1
    assert not np.allclose(digits[0], digits[1])  # six different samples
    assert not np.allclose(generate.generate(model, summary, 4, 6, 1.0, seed=0), digits)  # another class
    assert generate.generate(model, summary, None, 2, 1.0, seed=0).shape == (2, 28, 28)  # any digit
    at_mean = generate.generate(model, summary, 3, 2, 0.0, seed=0)
    np.testing.assert_allclose(at_mean[0], at_mean[1])  # t = 0 decodes the class's mean code
    assert json.loads(json.dumps(summary)) == summary  # JSON-ready


def test_generate_rejects_bad_classes_models_and_mismatched_gaussians():
    model = _model()
    summary = generate.summarize(model, synthetic_digits(20), torch.tensor([0, 1] * 10))
    with pytest.raises(ValueError, match="no Gaussian for class 5"):
        generate.generate(model, summary, 5, 2)
    with pytest.raises(ValueError, match="0 to 9"):
        generate.gaussian_for(summary, 10)
    with pytest.raises(ValueError, match="codes of 8 numbers.*code has 4"):
        generate.generate(_model(code_size=4), summary, 0, 2)
    with pytest.raises(ValueError, match="no code"):
        generate.summarize(build_model(ModelConfig(arch="unet", channels=4)), synthetic_digits(4), torch.zeros(4))
    with pytest.raises(ValueError, match="500 numbers.*hardly a bottleneck"):
        generate.summarize(_model(code_size=500), synthetic_digits(4), torch.zeros(4))


def test_a_conv_model_generates_too():
    model = _model(arch="conv")
    summary = generate.summarize(model, synthetic_digits(40), torch.arange(40) % 10)
    assert generate.generate(model, summary, 7, 3, 0.8, seed=1).shape == (3, 28, 28)


def test_nearest_training_matches_brute_force_across_chunks(monkeypatch):
    monkeypatch.setattr(generate, "SAMPLE_BLOCK", 7)  # several blocks of samples and of training digits
    monkeypatch.setattr(generate, "TRAIN_CHUNK", 13)
    train = synthetic_digits(100, seed=1) + 0.1 * torch.randn(100, 28, 28, generator=torch.Generator().manual_seed(0))
    samples = synthetic_digits(30, seed=2).numpy()
    index, distance = generate.nearest_training(samples, train)
    brute = torch.cdist(torch.from_numpy(samples).reshape(30, -1).double(),
                        train.reshape(100, -1).double())  # (30, 100)
    np.testing.assert_array_equal(index, brute.argmin(dim=1).numpy())
    np.testing.assert_allclose(distance, brute.min(dim=1).values.numpy(), rtol=1e-5)
    own_index, own_distance = generate.nearest_training(train[[5, 42, 99]], train)  # a training digit is its own
    np.testing.assert_array_equal(own_index, [5, 42, 99])
    np.testing.assert_allclose(own_distance, 0, atol=1e-6)
    one_index, _ = generate.nearest_training(train[17], train)  # one digit (28, 28)
    assert one_index.tolist() == [17]


def test_nearest_training_rejects_bad_shapes():
    with pytest.raises(ValueError, match="non-empty batch"):
        generate.nearest_training(np.zeros((2, 28, 28)), np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="non-empty batch"):
        generate.nearest_training(np.zeros((2, 28, 28)), np.zeros((5, 784)))
    with pytest.raises(ValueError, match="28x28"):
        generate.nearest_training(np.zeros((2, 10, 10)), np.zeros((5, 28, 28)))


def test_class_match_is_the_share_of_the_requested_class():
    assert generate.class_match([3, 3, 8, 3], 3) == 0.75
    assert generate.class_match(np.array([1, 2]), 7) == 0.0
    with pytest.raises(ValueError, match="no samples"):
        generate.class_match([], 3)


def test_save_and_load_round_trip(tmp_path):
    summary = generate.summarize(_model(), synthetic_digits(40), torch.arange(40) % 10, sha256="abc")
    path = generate.save_gaussians(summary, "tiny", tmp_path)
    assert path == tmp_path / "tiny.gauss.json"
    assert generate.load_gaussians("tiny", tmp_path) == summary
    assert checkpoint.list_checkpoints(tmp_path) == []  # not mistaken for a model card
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.gauss.json"]


def test_load_gaussians_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="python -m ae_core.generate --name nothing"):
        generate.load_gaussians("nothing", tmp_path)
    (tmp_path / "broken.gauss.json").write_text("{not json")
    with pytest.raises(ValueError, match="not readable JSON"):
        generate.load_gaussians("broken", tmp_path)
    (tmp_path / "other.gauss.json").write_text('{"all": {}}')
    with pytest.raises(ValueError, match="not a set of code Gaussians"):
        generate.load_gaussians("other", tmp_path)


@pytest.mark.parametrize("name", ["standard_d30", "conv_d30"])
def test_shipped_gaussians_match_their_checkpoints(name):
    summary = generate.load_gaussians(name)
    card = checkpoint.read_card(name)
    assert summary["sha256"] == card["sha256"], f"rerun python -m ae_core.generate --name {name}"
    assert summary["source"] == "mnist" and summary["n_codes"] == 60000
    assert summary["dim"] == card["model"]["code_size"] and sorted(summary["classes"]) == [str(c) for c in range(10)]
    assert sum(g["n"] for g in summary["classes"].values()) == 60000
    assert generate.gauss_path(name).stat().st_size < 150_000
