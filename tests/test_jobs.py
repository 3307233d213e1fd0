"""Background training: real child processes that train, report, stop on cancel, survive kills, and queue."""

import os
import signal
import time

import pytest

from ae_core import checkpoint
from ae_core.config import ModelConfig, TrainConfig
from ae_core.jobs import TrainingJob, TrainingQueue

TIMEOUT_S = 120


def _job(tmp_path, name="mine", epochs=2, limit=512, **training) -> TrainingJob:
    return TrainingJob(name, ModelConfig(code_size=8), TrainConfig(epochs=epochs, batch_size=64, **training),
                       tmp_path / name, limit=limit, test_limit=200)


def _wait(condition, what: str):
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_job_trains_reports_and_leaves_a_complete_checkpoint(tmp_path):
    queue, job = TrainingQueue(), _job(tmp_path, noise="dropout", p=0.3)
    queue.submit(job)
    _wait(lambda: job.snapshot().finished, "the job to finish")
    view = job.snapshot()
    assert view.state == "done", view.message
    assert view.steps_done == view.steps_total == 2 * 8 and view.fraction == 1.0
    assert len(view.epoch_losses) == 2 and view.batch_losses and view.epochs_saved == 2
    assert 5 < view.metrics["clean"]["psnr"] < 40 and view.metrics["n"] == 200
    model, card = checkpoint.load("mine", job.folder)
    assert card["complete"] and card["epochs"] == 2 and card["training"]["noise"] == "dropout"
    assert job.has_model and queue.running() == 0


def test_cancel_stops_the_child_and_keeps_its_last_full_epoch(tmp_path):
    queue, job = TrainingQueue(), _job(tmp_path, epochs=200)
    queue.submit(job)
    _wait(lambda: job.snapshot().epochs_saved >= 1, "the first saved epoch")
    queue.cancel(job)
    _wait(lambda: job.snapshot().finished, "the job to stop")
    view = job.snapshot()
    assert view.state == "stopped" and f"after epoch {view.epochs_saved} is kept" in view.message
    _, card = checkpoint.load("mine", job.folder)
    assert not card["complete"] and card["epochs"] == view.epochs_saved < 200
    assert job.has_model


def test_a_killed_child_leaves_a_loadable_checkpoint(tmp_path):
    """SIGKILL at an arbitrary moment, possibly mid-save: the last written checkpoint still loads."""
    queue, job = TrainingQueue(), _job(tmp_path, epochs=200, limit=256)
    queue.submit(job)
    _wait(lambda: job.snapshot().epochs_saved >= 3, "three saved epochs")
    os.kill(job._process.pid, signal.SIGKILL)
    _wait(lambda: job.snapshot().finished, "the job to notice the kill")
    view = job.snapshot()
    assert view.state == "failed" and "killed by signal 9" in view.message and "is kept" in view.message
    _, card = checkpoint.load("mine", job.folder)
    assert card["epochs"] >= 3 and not card["complete"]


def test_the_cap_queues_the_second_job_and_a_queued_job_can_be_cancelled(tmp_path):
    queue = TrainingQueue(max_running=1)
    first, second, third = _job(tmp_path, "first", epochs=200), _job(tmp_path, "second"), _job(tmp_path, "third")
    for job in (first, second, third):
        queue.submit(job)
    _wait(lambda: first.snapshot().state == "running", "the first job to start")
    assert second.snapshot().state == third.snapshot().state == "queued" and queue.running() == 1
    assert queue.ahead_of(second) == 0 and queue.ahead_of(third) == 1
    queue.cancel(second)
    _wait(lambda: second.snapshot().finished, "the queued job to be cancelled")
    assert second.snapshot().message == "Cancelled before it started." and not second.folder.exists()
    assert queue.ahead_of(third) == 0 and third.snapshot().state == "queued"
    queue.cancel(first)
    _wait(lambda: third.snapshot().finished, "the third job to run once the slot is free")
    assert third.snapshot().state == "done"


def test_a_child_that_fails_says_why(tmp_path):
    job = TrainingJob("bad", ModelConfig(arch="conv", code_size=4, channels=2), TrainConfig(epochs=1, contractive=0.1),
                      tmp_path / "bad", limit=64)
    queue = TrainingQueue()
    queue.submit(job)
    _wait(lambda: job.snapshot().finished, "the job to fail")
    view = job.snapshot()
    assert view.state == "failed" and "contractive penalty is available for the linear" in view.message
    assert "no model" in view.message and not job.has_model


def test_names_are_checked_before_anything_runs(tmp_path):
    with pytest.raises(checkpoint.CheckpointError):
        TrainingJob("../escape", ModelConfig(), TrainConfig(), tmp_path)
    with pytest.raises(ValueError):
        TrainingQueue(max_running=0)
