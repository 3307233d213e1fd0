"""Unit tests of ae_core.toy: the curves, the three toy autoencoders and what they do to points."""

import time

import numpy as np
import pytest
import torch

from ae_core import toy, train


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread, as in the app: tiny models gain nothing from more, and a busy machine loses a lot."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def arc():
    return toy.curve_2d(500, noise=0.02, seed=0)


@pytest.fixture(scope="module")
def far_grid(arc):
    g = toy.grid(2)
    return g[toy.distance_to_curve(g, arc[1]) > 0.4]


def test_curves_have_the_right_shapes_and_are_seeded():
    points, curve = toy.curve_2d(100, noise=0.05, seed=1)
    assert points.shape == (100, 2) and curve.shape[1] == 2 and len(curve) > 100
    points3, curve3 = toy.curve_3d(80, noise=0.05, seed=1)
    assert points3.shape == (80, 3) and curve3.shape[1] == 3
    assert np.array_equal(points, toy.curve_2d(100, noise=0.05, seed=1)[0])
    assert not np.array_equal(points, toy.curve_2d(100, noise=0.05, seed=2)[0])
    assert np.abs(toy.curve_2d(50, noise=0.0, seed=3)[0][:, 1]).max() <= 0.6 + 1e-6  # clean points lie on the arc
    assert toy.distance_to_curve(toy.curve_3d(50, noise=0.0)[0], curve3).max() < 0.02


def test_grid_and_distance_to_curve():
    g = toy.grid(2, steps=5, extent=1.0)
    assert g.shape == (25, 2) and g.min() == -1.0 and g.max() == 1.0
    assert toy.grid(3).shape == (9**3, 3)
    d = toy.distance_to_curve(np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert np.allclose(d, [0.0, 1.0])


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError):
        toy.train_toy("variational", np.zeros((4, 2)))
    with pytest.raises(ValueError):
        toy.curve_2d(0)


def test_denoising_model_moves_far_points_more_than_points_on_the_manifold(arc, far_grid):
    points, curve = arc
    start = time.perf_counter()
    model = toy.train_toy("denoising", points, noise_sigma=0.2, seed=0)
    assert time.perf_counter() - start < 5  # ~0.5 s here
    outputs, on = toy.displacement(model, curve)
    assert outputs.shape == curve.shape and on.shape == (len(curve),)
    _, far = toy.displacement(model, far_grid)
    assert far.mean() > 5 * on.mean()
    assert toy.distance_to_curve(toy.displacement(model, far_grid)[0], curve).mean() < 0.5 * \
        toy.distance_to_curve(far_grid, curve).mean()  # far points land nearer the curve than they started


def test_contractive_model_is_insensitive_across_the_manifold_only(arc):
    """The lecture's observation, with the penalty on the whole model: sensitive along, not across."""
    points, curve = arc
    standard = toy.train_toy("standard", points, seed=0)
    contractive = toy.train_toy("contractive", points, lam=0.03, penalty="output", seed=0)
    along, across = (s.mean() for s in toy.sensitivity(contractive, curve))
    assert across < 0.2 * along and along > 0.6
    assert across < 0.2 * toy.sensitivity(standard, curve)[1].mean()


def test_the_lectures_code_penalty_contracts_the_code_but_not_the_model(arc, far_grid):
    points, curve = arc
    standard = toy.train_toy("standard", points, seed=0)
    contractive = toy.train_toy("contractive", points, lam=0.1, penalty="code", seed=0)
    code_far = toy.code_jacobian_norm(contractive, far_grid).mean()
    assert code_far < 0.5 * toy.code_jacobian_norm(standard, far_grid).mean()
    along, across = (s.mean() for s in toy.sensitivity(contractive, curve))
    assert across > 0.8 * along  # the decoder scaled the code back up: no selectivity


def test_sensitivity_of_a_copy_and_of_a_projection():
    """A model that copies its input responds 1 along and 1 across a line; one that projects onto it, 1 and 0."""
    curve = np.stack([np.linspace(-1, 1, 50), np.zeros(50)], axis=1).astype(np.float32)  # the x axis
    model = toy.ToyAE(2, hidden=2)
    with torch.no_grad():  # tanh is ~linear for tiny inputs: x̂ = W_x tanh(W_h x) ≈ (W_x W_h) x
        model.encoder.weight.copy_(torch.eye(2) * 1e-3)
        model.encoder.bias.zero_()
        model.decoder.bias.zero_()
        model.decoder.weight.copy_(torch.eye(2) * 1e3)
        along, across = (s.mean() for s in toy.sensitivity(model, curve * 1e-3))
        assert np.isclose(along, 1, atol=1e-3) and np.isclose(across, 1, atol=1e-3)
        model.decoder.weight.copy_(torch.tensor([[1e3, 0.0], [0.0, 0.0]]))
        along, across = (s.mean() for s in toy.sensitivity(model, curve * 1e-3))
        assert np.isclose(along, 1, atol=1e-3) and across < 1e-6


def test_jacobians_match_autograd():
    torch.manual_seed(0)
    model = toy.ToyAE(3, hidden=8)
    x = torch.randn(4, 3)
    full = torch.stack([torch.autograd.functional.jacobian(model, xi[None])[0, :, 0] for xi in x])  # (4, 3, 3)
    code = torch.stack([torch.autograd.functional.jacobian(model.encode, xi[None])[0, :, 0] for xi in x])  # (4, 8, 3)
    with torch.no_grad():
        assert torch.allclose(toy.output_jacobian(model, x), full, atol=1e-5)
    assert np.allclose(toy.code_jacobian_norm(model, x.numpy()), code.flatten(1).norm(dim=1).numpy(), atol=1e-5)
    penalty = train.contractive_penalty(model, x).item()
    assert np.isclose(penalty, code.flatten(1).pow(2).sum(1).mean().item(), atol=1e-5)


def test_study_reports_on_and_far_displacement_quickly():
    points, curve = toy.curve_3d(500, noise=0.02, seed=0)
    r = toy.study("denoising", points, curve, noise_sigma=0.2, lam=0.1)
    assert r.seconds < 5
    assert r.grid_in.shape == r.grid_out.shape == (9**3, 3) and r.curve_out.shape == curve.shape
    assert r.far_mean > 5 * r.on_mean
