"""A browser's space (ui.space): the token cannot steer its folder, and what a space keeps comes back."""

import secrets

import pytest
import torch

from ae_core import checkpoint
from ae_core.config import ModelConfig
from ae_core.models import build_model
from ui import space

TRICKS = ["../../etc", "/etc/passwd", "..", ".", "", "a/b", "a\\b", "x" * 10_000, "nul\x00byte", "ÿ/é",
          "%2e%2e%2f", "~root", "C:\\Windows"]


@pytest.mark.parametrize("token", TRICKS + [secrets.token_urlsafe(32)])
def test_a_tokens_folder_is_a_hash_directly_under_the_base(tmp_path, monkeypatch, token):
    monkeypatch.setenv(space.SESSION_DIR_ENV, str(tmp_path))
    folder = space.folder_for(token)
    assert folder.parent == tmp_path and len(folder.name) == 64 and set(folder.name) <= set("0123456789abcdef")
    assert folder.resolve().parent == tmp_path.resolve()  # nothing in the name climbs out


def test_only_a_well_formed_token_is_accepted():
    assert space.TOKEN.fullmatch(secrets.token_urlsafe(32))
    assert not any(space.TOKEN.fullmatch(trick) for trick in TRICKS)
    assert not space.TOKEN.fullmatch(secrets.token_urlsafe(32) + "x")  # one character too many


def test_different_tokens_get_different_folders():
    tokens = [secrets.token_urlsafe(32) for _ in range(100)]
    assert len({space.folder_for(t) for t in tokens}) == 100


def test_a_space_reads_back_its_trained_and_uploaded_models(tmp_path):
    card = {"data": {"source": "synthetic", "n_train": 64, "n_test": 64}, "epochs": 2, "seconds": 3.5,
            "training": {"noise": "dropout", "p": 0.5, "epochs": 2}, "history": [0.3, 0.2],
            "metrics": {"clean": {"psnr": 12.0}, "dropout": {"psnr": 11.0}, "n": 64}}
    torch.manual_seed(0)
    checkpoint.save(build_model(ModelConfig(code_size=4)), "mine", card, folder=tmp_path / "trained" / "mine")
    checkpoint.save(build_model(ModelConfig(code_size=3)), "theirs", card, folder=tmp_path / "uploaded" / "theirs")
    (tmp_path / "trained" / "cut_short").mkdir()  # a run killed before its first epoch: no checkpoint
    found = space._read_space(tmp_path)
    assert [job.name for job in found.jobs] == ["mine"] and list(found.uploads) == ["theirs"]
    job = found.jobs[0]
    assert job.has_model and job.model.code_size == 4 and job.training.noise == "dropout"
    assert job.epoch_losses == [0.3, 0.2] and job.snapshot().seconds == 3.5


def test_the_kept_keys_are_digits_choices_and_repairs_setup():
    kept = ["repair_digit", "repair_digit_label", "repair_saved_source", "interpolate_b_saved_index",
            "repair_setup", "repair_models"]
    others = ["repair_p", "repair_class", "train_jobs", "space_token", "repair_canvas", "bench_measured"]
    assert all(space.KEPT_KEY.fullmatch(k) for k in kept) and not any(space.KEPT_KEY.fullmatch(k) for k in others)
