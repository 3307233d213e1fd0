"""The latent map: a 2-D PCA of codes that places new codes and turns points back into codes."""

import json

import numpy as np
import pytest
import torch

from ae_core import checkpoint, latent
from ae_core.config import ModelConfig
from ae_core.models import build_model
from tests.conftest import synthetic_digits


def _codes(n: int = 200, d: int = 12, seed: int = 0) -> np.ndarray:
    """(n, d) codes with most of their variance along two directions (scales 5, 2, then 0.1)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))  # (d, d) orthonormal columns
    scales = np.array([5.0, 2.0] + [0.1] * (d - 2))
    return (rng.normal(size=(n, d)) * scales) @ basis.T + 3.0  # (n, d)


def _model():
    torch.manual_seed(0)
    return build_model(ModelConfig(code_size=8)).eval()


def test_fit_pca_finds_the_two_big_directions():
    mean, components, shares = latent.fit_pca(_codes())
    assert mean.shape == (12,) and components.shape == (2, 12)
    np.testing.assert_allclose(components @ components.T, np.eye(2), atol=1e-5)  # orthonormal
    assert 0 <= shares[1] <= shares[0] <= 1 and 0.9 < sum(shares) <= 1  # 29 of 29.08 units of variance
    np.testing.assert_allclose(mean, _codes().mean(axis=0), atol=1e-4)


def test_project_and_unproject_round_trip_on_the_plane():
    mean, components, _ = latent.fit_pca(_codes())
    xy = np.array([[0.0, 0.0], [1.5, -2.0], [-7.0, 3.25]], dtype=np.float32)
    on_plane = latent.unproject(xy, mean, components)  # (3, 12)
    assert on_plane.shape == (3, 12)
    np.testing.assert_allclose(latent.project(on_plane, mean, components), xy, atol=1e-4)
    np.testing.assert_allclose(latent.unproject(latent.project(on_plane, mean, components), mean, components),
                               on_plane, atol=1e-4)
    np.testing.assert_allclose(on_plane[0], mean, atol=1e-6)  # the origin is the mean code
    assert latent.project(on_plane[1], mean, components).shape == (2,)  # one code -> one point
    off_plane = _codes()[:3]
    assert not np.allclose(latent.unproject(latent.project(off_plane, mean, components), mean, components),
                           off_plane, atol=1e-2)  # a code off the plane loses its other directions


def test_the_map_of_mirrored_codes_is_the_same():
    codes = _codes()
    _, c1, _ = latent.fit_pca(codes)
    _, c2, _ = latent.fit_pca(codes[::-1])  # same codes, another order: same signs
    np.testing.assert_allclose(c1, c2, atol=1e-5)


def test_fit_pca_rejects_too_few_codes():
    with pytest.raises(ValueError, match="at least 2 codes"):
        latent.fit_pca(np.zeros((1, 5)))


def test_summary_holds_a_seeded_subset_of_points():
    images, labels = synthetic_digits(120), torch.arange(120) % 10
    model = _model()
    summary = latent.summarize(model, images, labels, max_points=50, seed=1, source="synthetic", sha256="abc")
    assert len(summary["points"]) == len(summary["labels"]) == len(summary["indices"]) == 50
    assert summary["indices"] == sorted(set(summary["indices"])) and max(summary["indices"]) < 120
    assert summary["labels"] == [i % 10 for i in summary["indices"]]
    assert summary["dim"] == 8 and len(summary["mean"]) == 8 and np.shape(summary["components"]) == (2, 8)
    assert all(0 <= s <= 1 for s in summary["explained_variance"]) and sum(summary["explained_variance"]) <= 1
    assert summary["source"] == "synthetic" and summary["sha256"] == "abc"
    # the stored points are the projections of those digits' codes
    codes = latent.encode_all(model, images[summary["indices"]])
    np.testing.assert_allclose(summary["points"], latent.project(codes, summary["mean"], summary["components"]),
                               atol=1e-3)
    again = latent.summarize(model, images, labels, max_points=50, seed=1)
    assert again["indices"] == summary["indices"] and again["points"] == summary["points"]
    other = latent.summarize(model, images, labels, max_points=50, seed=2)
    assert other["indices"] != summary["indices"]
    assert len(latent.summarize(model, images, labels, max_points=500)["points"]) == 120  # capped at N


def test_summary_needs_a_model_with_a_code():
    unet = build_model(ModelConfig(arch="unet", channels=4))
    with pytest.raises(ValueError, match="no code"):
        latent.summarize(unet, synthetic_digits(4), torch.zeros(4))


def test_save_and_load_round_trip(tmp_path):
    summary = latent.summarize(_model(), synthetic_digits(40), torch.arange(40) % 10, max_points=30)
    path = latent.save_map(summary, "tiny", tmp_path)
    assert path == tmp_path / "tiny.latent.json"
    assert latent.load_map("tiny", tmp_path) == json.loads(json.dumps(summary))
    assert checkpoint.list_checkpoints(tmp_path) == []  # a map is not mistaken for a model card
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.latent.json"]  # no temp file left behind


def test_load_map_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="python -m ae_core.latent --name nothing"):
        latent.load_map("nothing", tmp_path)
    (tmp_path / "broken.latent.json").write_text("{not json")
    with pytest.raises(ValueError, match="not readable JSON"):
        latent.load_map("broken", tmp_path)
    (tmp_path / "other.latent.json").write_text('{"points": []}')
    with pytest.raises(ValueError, match="not a latent map"):
        latent.load_map("other", tmp_path)
    with pytest.raises(ValueError, match="not a valid checkpoint name"):
        latent.map_path("../escape", tmp_path)


def test_line_runs_from_one_code_to_the_other():
    codes = _codes()
    mean, components, _ = latent.fit_pca(codes)
    path = latent.line(codes[0], codes[1], mean, components, steps=5)
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path[[0, -1]], latent.project(codes[:2], mean, components), atol=1e-4)
    np.testing.assert_allclose(path[2], path[[0, -1]].mean(axis=0), atol=1e-4)  # a straight line


def test_grid_covers_the_points():
    points = np.array([[-1.0, 2.0], [3.0, 5.0]])
    cells = latent.grid(points, n=40)
    assert cells.shape == (1600, 2)
    assert (cells.min(axis=0) < points.min(axis=0)).all() and (cells.max(axis=0) > points.max(axis=0)).all()
    spacing = np.diff(np.unique(cells[:, 0]))
    assert np.allclose(spacing, spacing[0]) and spacing[0] < 0.12  # even and fine: 4.4 units / 39 steps


@pytest.mark.parametrize(("event", "expected"), [
    ({"selection": {"points": [{"x": 1.5, "y": -2, "curve_number": 0}], "box": [], "lasso": []}}, (1.5, -2.0)),
    ({"selection": {"points": [{"x": 0.25, "y": 3}, {"x": 9, "y": 9}]}}, (0.25, 3.0)),
    ({"selection": {"points": []}}, None),
    ({"selection": {}}, None),
    ({}, None),
    (None, None),
])
def test_clicked_point_reads_the_first_selected_point(event, expected):
    assert latent.clicked_point(event) == expected


def test_a_clicked_point_decodes_to_a_digit():
    model = _model()
    summary = latent.summarize(model, synthetic_digits(40), torch.arange(40) % 10)
    from ae_core.inference import decode

    code = latent.unproject(latent.clicked_point({"selection": {"points": [{"x": 0.1, "y": -0.2}]}}),
                            summary["mean"], summary["components"])
    assert code.shape == (8,) and decode(model, code).shape == (28, 28)


@pytest.mark.parametrize("name", ["standard_d30", "denoising_d500", "conv_d30"])
def test_shipped_maps_match_their_checkpoints(name):
    path = latent.map_path(name)
    if not path.is_file():
        pytest.skip(f"no {path.name}")
    summary = latent.load_map(name)
    card = checkpoint.read_card(name)
    assert summary["sha256"] == card["sha256"], f"rerun python -m ae_core.latent --name {name}"
    assert summary["dim"] == card["model"]["code_size"] and len(summary["points"]) <= 3000
    assert path.stat().st_size < 300_000
