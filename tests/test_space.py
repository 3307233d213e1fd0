"""A browser's space (ui.space): the token cannot steer its folder, and what a space keeps comes back."""

import json
import secrets
from pathlib import Path

import numpy as np
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


def _repair(token: str | None = None):
    """The Repair page through the router (app.py restores and saves the space around it), as `token`'s browser."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.switch_page("app_pages/repair.py")
    if token:
        at.session_state["space_token"] = token
    return at.run()


def test_a_pages_digit_and_setup_are_saved_and_come_back_in_a_new_session(tmp_path, monkeypatch):
    monkeypatch.setenv(space.SESSION_DIR_ENV, str(tmp_path))
    first = _repair()
    first.selectbox(key="repair_class").set_value(3).run()
    first.slider(key="repair_p").set_value(0.8).run()
    assert not first.exception
    token = first.session_state["space_token"]
    folder = space.folder_for(token)
    saved = json.loads((folder / "state.json").read_text())
    assert (folder / "repair_digit.npy").is_file() and saved["repair_setup"]["p"] == 0.8
    again = _repair(token)  # a reload: a new session of the same browser
    assert not again.exception and again.selectbox(key="repair_class").value == 3
    assert again.slider(key="repair_p").value == 0.8
    assert np.array_equal(again.session_state["repair_digit"], first.session_state["repair_digit"])
    stranger = _repair()  # another browser: the defaults
    assert stranger.selectbox(key="repair_class").value == 7 and stranger.slider(key="repair_p").value == 0.5
