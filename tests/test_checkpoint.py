"""Checkpoints: round trip, atomic files, and a clear CheckpointError for everything that can go wrong."""

import json
import pickle

import pytest
import torch

from ae_core import checkpoint
from ae_core.config import ModelConfig
from ae_core.models import build_model

CARD = {"data": {"source": "synthetic"}, "training": {"noise": "none"}, "epochs": 1, "metrics": {}}


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = build_model(ModelConfig(code_size=6))
    checkpoint.save(model, "demo", CARD, folder=tmp_path)
    return model, tmp_path


def test_round_trip_restores_the_same_model(saved):
    model, folder = saved
    loaded, card = checkpoint.load("demo", folder)
    x = torch.rand(2, 28, 28)
    torch.testing.assert_close(loaded(x), model(x))
    assert card["name"] == "demo" and card["model"]["code_size"] == 6 and card["data"]["source"] == "synthetic"
    assert {"torch", "python", "numpy"} <= card["versions"].keys() and len(card["sha256"]) == 64
    assert not loaded.training


def _files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_only_the_two_files_are_left(saved):
    _, folder = saved
    weights = checkpoint.weights_path("demo", folder)
    assert _files(folder) == sorted(["demo.json", weights.name])
    assert weights.name == f"demo-{checkpoint._sha256(weights)[:12]}.safetensors"


def test_saving_again_replaces_the_weights_file(saved):
    model, folder = saved
    with torch.no_grad():
        model.encoder.weight.add_(1.0)
    checkpoint.save(model, "demo", CARD, folder=folder)
    assert _files(folder) == sorted(["demo.json", checkpoint.weights_path("demo", folder).name])
    torch.testing.assert_close(checkpoint.load("demo", folder)[0].encoder.weight, model.encoder.weight)


def test_cards_of_the_old_naming_still_load(saved):
    model, folder = saved
    weights = checkpoint.weights_path("demo", folder)
    weights.rename(folder / "demo.safetensors")
    card = json.loads((folder / "demo.json").read_text())
    del card["weights"]
    (folder / "demo.json").write_text(json.dumps(card))
    x = torch.rand(1, 28, 28)
    torch.testing.assert_close(checkpoint.load("demo", folder)[0](x), model(x))


@pytest.mark.parametrize("weights", ["../demo.safetensors", "other.safetensors", "demo-xyz.safetensors", 7])
def test_a_card_cannot_point_elsewhere(saved, weights):
    _, folder = saved
    card = json.loads((folder / "demo.json").read_text())
    card["weights"] = weights
    (folder / "demo.json").write_text(json.dumps(card))
    with pytest.raises(checkpoint.CheckpointError, match="names the weights file"):
        checkpoint.load("demo", folder)


def test_list_checkpoints(saved, tmp_path_factory):
    _, folder = saved
    (folder / "not a name.json").write_text("{}")
    assert checkpoint.list_checkpoints(folder) == ["demo"]
    assert checkpoint.list_checkpoints(tmp_path_factory.mktemp("empty") / "missing") == []


def test_conv_round_trip(tmp_path):
    model = build_model(ModelConfig(arch="conv", code_size=3, channels=2))
    checkpoint.save(model, "conv", CARD, folder=tmp_path)
    loaded, _ = checkpoint.load("conv", tmp_path)
    x = torch.rand(1, 28, 28)
    torch.testing.assert_close(loaded(x), model(x))


def _rewrite_weights(folder, data: bytes, fix_sha=True):
    path = checkpoint.weights_path("demo", folder)
    path.write_bytes(data)
    if fix_sha:  # make the card agree, so the weights themselves are what gets checked
        card = json.loads((folder / "demo.json").read_text())
        card["sha256"] = checkpoint._sha256(path)
        (folder / "demo.json").write_text(json.dumps(card))


def test_missing_checkpoint(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint"):
        checkpoint.load("demo", tmp_path)


def test_truncated_weights_are_caught_by_the_hash(saved):
    _, folder = saved
    data = checkpoint.weights_path("demo", folder).read_bytes()
    _rewrite_weights(folder, data[: len(data) // 2], fix_sha=False)
    with pytest.raises(checkpoint.CheckpointError, match="sha256"):
        checkpoint.load("demo", folder)


@pytest.mark.parametrize("payload", [b"", b"not safetensors at all", pickle.dumps({"w": [1, 2, 3]})],
                         ids=["empty", "garbage", "pickle"])
def test_corrupt_weights_with_matching_hash(saved, payload):
    _, folder = saved
    _rewrite_weights(folder, payload)
    with pytest.raises(checkpoint.CheckpointError, match="is not a readable safetensors file"):
        checkpoint.load("demo", folder)


def test_weights_of_another_model(saved):
    _, folder = saved
    other = build_model(ModelConfig(code_size=9))
    checkpoint.save(other, "other", CARD, folder=folder)
    _rewrite_weights(folder, checkpoint.weights_path("other", folder).read_bytes())
    with pytest.raises(checkpoint.CheckpointError, match="do not fit"):
        checkpoint.load("demo", folder)


def test_missing_weights(saved):
    _, folder = saved
    checkpoint.weights_path("demo", folder).unlink()
    with pytest.raises(checkpoint.CheckpointError, match="missing"):
        checkpoint.load("demo", folder)


@pytest.mark.parametrize("text", ["{", "[]", '{"model": {}}', "\xff"], ids=["bad-json", "list", "no-sha", "bytes"])
def test_unreadable_cards(saved, text):
    _, folder = saved
    (folder / "demo.json").write_text(text, encoding="latin-1")
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.load("demo", folder)


def test_unknown_architecture(saved):
    _, folder = saved
    card = json.loads((folder / "demo.json").read_text())
    card["model"]["arch"] = "transformer"
    (folder / "demo.json").write_text(json.dumps(card))
    with pytest.raises(checkpoint.CheckpointError, match="cannot build"):
        checkpoint.load("demo", folder)


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".hidden", "x" * 65, "spa ce"])
def test_names_cannot_leave_the_folder(tmp_path, name):
    with pytest.raises(checkpoint.CheckpointError, match="not a valid checkpoint name"):
        checkpoint.save(build_model(ModelConfig(code_size=2)), name, CARD, folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_checkpoint(saved, monkeypatch):
    model, folder = saved
    weights = checkpoint.weights_path("demo", folder)
    before = weights.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint, "serialize", crash)
    with pytest.raises(OSError):
        checkpoint.save(model, "demo", CARD, folder=folder)
    assert weights.read_bytes() == before
    assert _files(folder) == sorted(["demo.json", weights.name])
    checkpoint.load("demo", folder)


def test_a_save_killed_between_weights_and_card_keeps_the_old_pair(saved, monkeypatch):
    """The window that matters: the new weights are written, the card is not; the old pair still loads."""
    model, folder = saved
    old = checkpoint.weights_path("demo", folder)
    real_write = checkpoint.write_atomically

    def die_on_the_card(path, write):
        if path.suffix == ".json":
            raise KeyboardInterrupt  # stands in for a kill: nothing after this line runs
        real_write(path, write)

    monkeypatch.setattr(checkpoint, "write_atomically", die_on_the_card)
    with torch.no_grad():
        model.encoder.weight.add_(1.0)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(model, "demo", CARD, folder=folder)
    assert checkpoint.weights_path("demo", folder) == old and old.is_file()
    checkpoint.load("demo", folder)
