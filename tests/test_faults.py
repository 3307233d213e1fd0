"""Faults: training killed at any moment (SIGTERM, SIGKILL, in the middle of a save) leaves the last
checkpoint loadable, and the app reports the run and keeps working with the model it kept."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint
from tests.metrics_tables import metrics_table
from ui import space

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_S = 120


def _start_cli(folder: Path) -> subprocess.Popen:
    """A training whose time goes mostly into saving: a 3 MB model, one batch per epoch, saved every epoch."""
    cmd = [sys.executable, "-m", "ae_core.train", "--name", "victim", "--code-size", "500", "--epochs", "100000",
           "--limit", "64", "--batch-size", "64", "--threads", "1", "--save-every-epoch", "--events",
           "--out", str(folder)]
    env = {**os.environ, "AE_DATA_DIR": ""}  # the offline digits: fast to load
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _wait_for_saved_epochs(process: subprocess.Popen, count: int) -> None:
    for line in process.stdout:
        event = json.loads(line)
        if event["event"] == "epoch" and event["epoch"] >= count:
            return
    pytest.fail("the training exited before saving")


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_training_killed_at_random_moments_leaves_a_loadable_checkpoint(tmp_path, kill):
    rng = random.Random(kill)
    for attempt in range(3):
        folder = tmp_path / str(attempt)
        process = _start_cli(folder)
        _wait_for_saved_epochs(process, 2)
        time.sleep(rng.uniform(0, 0.3))  # somewhere in the save-train-save cycle, often mid-save
        process.send_signal(kill)
        process.stdout.close()
        code = process.wait(timeout=30)
        assert code == (-signal.SIGKILL if kill == signal.SIGKILL else 3)
        model, card = checkpoint.load("victim", folder)
        assert card["epochs"] >= 2 and not card["complete"] and model.cfg.code_size == 500
        assert checkpoint.list_checkpoints(folder) == ["victim"]
        weights = {p.name for p in folder.glob("*.safetensors")}
        assert checkpoint.weights_path("victim", folder).name in weights and len(weights) <= 2  # at most one orphan


def test_the_app_reports_a_killed_training_and_uses_the_epoch_it_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(space.SESSION_DIR_ENV, str(tmp_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/train.py")
    at.run()
    at.select_slider(key="train_digits").set_value(1000)
    at.slider(key="train_epochs").set_value(30)
    at.text_input(key="train_name").input("doomed")
    at.button(key="train_start").click().run()
    job = at.session_state[space.SESSION_JOBS][0]
    deadline = time.monotonic() + TIMEOUT_S
    while job.snapshot().epochs_saved < 1:
        assert time.monotonic() < deadline, "no epoch was saved in time"
        time.sleep(0.05)
    os.kill(job._process.pid, signal.SIGKILL)
    while not job.snapshot().finished:
        assert time.monotonic() < deadline, "the kill went unnoticed"
        time.sleep(0.05)
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "killed by signal 9" in errors[0] and "is kept" in errors[0]
    assert not at.button(key="train_start").disabled  # a new training can start

    repair = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    repair.switch_page("app_pages/repair.py")
    repair.session_state[space.SESSION_JOBS] = [job]
    repair.run()
    assert not repair.exception, repair.exception
    picker = repair.selectbox(key="repair_model_standard")
    assert any(option.startswith("doomed (") for option in picker.options)
    picker.set_value("doomed").run()
    assert not repair.exception and "doomed" in list(metrics_table(repair).index)
