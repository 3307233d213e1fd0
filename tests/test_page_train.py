"""AppTest of the Train page: a real short training in a child process, its curve, download and removal,
the model in another page's picker, name sanitising, the per-session bound and the server-wide queue."""

import json
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint
from ui import space, training

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def session_models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(space.SESSION_DIR_ENV, str(tmp_path / "sessions"))
    return tmp_path / "sessions"


def _page(name: str = "train") -> AppTest:
    """A page run through the router (app.py), as in the app: the Train page links to the others."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page(f"app_pages/{name}.py")
    return at


def _start(at: AppTest, name: str = "", epochs: int = 1, digits: int = 1000) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    at.select_slider(key="train_code").set_value(10)
    at.slider(key="train_epochs").set_value(epochs)
    at.select_slider(key="train_digits").set_value(digits)
    at.text_input(key="train_name").input(name)
    return at.button(key="train_start").click().run()


def _until_finished(at: AppTest) -> AppTest:
    deadline = time.monotonic() + TIMEOUT_S
    while any(not job.snapshot().finished for job in at.session_state[space.SESSION_JOBS]):
        if time.monotonic() > deadline:
            pytest.fail("the training did not finish in time")
        time.sleep(0.3)
    return at.run()


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_short_training_runs_and_its_model_joins_the_pickers():
    at = _start(_page(), name="tiny one")
    assert not at.exception, at.exception
    assert at.subheader[0].value == "Training tiny_one" and at.button(key="train_start").disabled
    at = _until_finished(at)
    assert not at.exception, at.exception
    assert "**tiny_one** :green-badge[done]" in _markdown(at)
    assert any("Test PSNR: clean" in c.value for c in at.caption)
    assert [c.key for c in at.get("plotly_chart")] == ["train_curve_tiny_one"]
    curve = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert [trace["name"] for trace in curve] == ["batch", "epoch mean"]
    job = at.session_state[space.SESSION_JOBS][0]
    weights = checkpoint.weights_path("tiny_one", job.folder).name
    with zipfile.ZipFile(BytesIO(checkpoint.pack("tiny_one", job.folder))) as archive:
        assert sorted(archive.namelist()) == sorted(["tiny_one.json", weights])

    repair = _page("repair")
    repair.session_state[space.SESSION_JOBS] = [job]
    repair.run()
    assert not repair.exception, repair.exception
    assert "tiny_one" in repair.selectbox(key="repair_model_standard").options[-1]
    shipped_only = _page("repair").run()
    assert not any("tiny_one" in o for o in shipped_only.selectbox(key="repair_model_standard").options)

    at.button(key="train_remove_tiny_one").click().run()
    assert not at.exception and not job.folder.exists() and not at.session_state[space.SESSION_JOBS]


def test_conv_disables_the_linear_only_settings():
    at = _page()
    at.session_state["train_arch"] = "conv"
    at.run()
    assert not at.exception, at.exception
    assert at.checkbox(key="train_tied").disabled and at.select_slider(key="train_lambda").disabled


@pytest.mark.parametrize(("typed", "expected"), [("../../etc/passwd", "etc_passwd"), ("  ", "my_linear_d10"),
                                                  ("über model!", "ber_model")])
def test_typed_names_are_made_safe(typed, expected):
    at = _start(_page(), name=typed)
    assert not at.exception, at.exception
    job = at.session_state[space.SESSION_JOBS][0]
    assert job.name == expected and job.folder.parent.parent.parent == space.base()
    training.training_queue().cancel(job)
    _until_finished(at)


def test_safe_name_avoids_names_in_use():
    assert training.safe_name("standard_d30", {"standard_d30", "standard_d30_2"}) == "standard_d30_3"
    assert training.safe_name("-" * 50 + "x" * 50, set()) == "x" * 40


def test_a_second_session_waits_in_the_queue_and_sees_only_its_own_models():
    first = _start(_page(), name="long", epochs=30, digits=60000)
    second = _start(_page(), name="queued")
    assert not second.exception, second.exception
    waiting = [i.value for i in second.info if "Waiting for a free training slot" in i.value]
    assert waiting and "1 running and 0 queued ahead of yours" in waiting[0]
    assert second.session_state[space.SESSION_JOBS][0].state == "queued"
    second.button(key="train_cancel").click().run()
    second = _until_finished(second)
    assert "Cancelled before it started." in [i.value for i in second.info]
    first.button(key="train_cancel").click().run()
    first = _until_finished(first)
    assert "**long** :orange-badge[stopped]" in _markdown(first)
    assert "queued" not in _markdown(first)


def test_a_session_keeps_at_most_three_models(monkeypatch):
    at = _page()
    for i in range(training.MAX_SESSION_MODELS + 1):
        at = _until_finished(_start(at, name=f"m{i}", digits=1000))
    names = [job.name for job in at.session_state[space.SESSION_JOBS]]
    assert names == [f"m{i}" for i in range(1, training.MAX_SESSION_MODELS + 1)]


# --- bringing a checkpoint ------------------------------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parent.parent / "checkpoints"


def _shipped(name: str = "standard_d30") -> tuple[bytes, bytes]:
    """(card, weights) bytes of a committed checkpoint."""
    return (SHIPPED / f"{name}.json").read_bytes(), checkpoint.weights_path(name, SHIPPED).read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _edited_card(edit) -> bytes:
    card = json.loads(_shipped()[0])
    edit(card)
    return json.dumps(card).encode()


def _pickle() -> bytes:
    import torch

    buffer = BytesIO()
    torch.save({"encoder.weight": torch.zeros(30, 784)}, buffer)
    return buffer.getvalue()


def _upload(at: AppTest, files: dict[str, bytes]) -> AppTest:
    at.file_uploader(key="train_upload").set_value([(name, data, "application/octet-stream")
                                                    for name, data in files.items()])
    return at.run()


def test_an_uploaded_zip_joins_the_pickers_and_can_be_removed():
    at = _page().run()
    at = _upload(at, {"standard_d30.zip": checkpoint.pack("standard_d30", SHIPPED)})
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["standard_d30_2 is ready: pick it on any page."]
    assert "**standard_d30_2** (uploaded): linear, d = 30" in _markdown(at)
    uploads = at.session_state[space.SESSION_UPLOADS]
    repair = _page("repair")
    repair.session_state[space.SESSION_UPLOADS] = uploads
    repair.run()
    assert not repair.exception, repair.exception
    assert "standard_d30_2 (linear, d=30, trained on none, yours)" in repair.selectbox(
        key="repair_model_standard").options
    folder = uploads["standard_d30_2"]
    at.button(key="train_remove_upload_standard_d30_2").click().run()
    assert not folder.exists() and not at.session_state[space.SESSION_UPLOADS]


def test_a_card_and_its_weights_uploaded_together_work():
    card, weights = _shipped("conv_d30")
    at = _upload(_page().run(), {"my conv.json": card, "whatever.safetensors": weights})
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["my_conv is ready: pick it on any page."]


BAD_UPLOADS = {  # files -> what the error must say
    "empty": ({"empty.zip": b""}, "one card (.json) and one weights file"),
    "card only": ({"standard_d30.json": _shipped()[0]}, "one card (.json) and one weights file"),
    "truncated weights": ({"a.json": _shipped()[0], "a.safetensors": _shipped()[1][:5000]}, "sha256 differs"),
    "corrupt weights": ({"a.json": _edited_card(lambda c: c.update(sha256=__import__("hashlib").sha256(
        b"x" * 999).hexdigest())), "a.safetensors": b"x" * 999}, "not a readable safetensors file"),
    "card of another model": ({"a.json": _edited_card(lambda c: c["model"].update(code_size=7)),
                               "a.safetensors": _shipped()[1]}, "do not fit the model its card describes"),
    "unknown architecture": ({"a.json": _edited_card(lambda c: c["model"].update(arch="transformer")),
                              "a.safetensors": _shipped()[1]}, "Unknown architecture 'transformer'"),
    "pickle renamed": ({"a.json": _edited_card(lambda c: c.update(sha256=__import__("hashlib").sha256(
        _pickle()).hexdigest())), "a.safetensors": _pickle()}, "not a readable safetensors file"),
    "card not JSON": ({"a.json": b"name: a", "a.safetensors": _shipped()[1]}, "not readable JSON"),
    "card without sections": ({"a.json": _edited_card(lambda c: c.pop("training")),
                               "a.safetensors": _shipped()[1]}, "no valid training"),
    "zip bomb": ({"bomb.zip": _zip({"a.json": b"{}", "a.safetensors": bytes(60 * 2**20)})}, "unpacks to more than"),
    "broken zip": ({"a.zip": _zip({"a.json": b"{}"})[:-30]}, "one card (.json) and one weights file"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_a_bad_upload_says_why_and_keeps_nothing(case, session_models_dir):
    files, message = BAD_UPLOADS[case]
    at = _upload(_page().run(), files)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "not usable as a checkpoint" in errors[0] and message in errors[0], errors
    assert not at.session_state[space.SESSION_UPLOADS]
    assert not any(p.is_file() for p in session_models_dir.rglob("*"))  # nothing left on disk
    assert at.button(key="train_start")  # the page still works


def test_a_trained_model_works_on_every_page(session_models_dir):
    """Latent map and anomaly summary are computed for it on demand; Kernels, Interpolate and Benchmarks
    offer it like a shipped model."""
    from ae_core.config import ModelConfig, TrainConfig
    from ae_core.jobs import TrainingJob

    job = TrainingJob("mine", ModelConfig(code_size=12), TrainConfig(epochs=1), session_models_dir / "mine",
                      limit=1000, test_limit=200)
    training.TrainingQueue().submit(job)
    deadline = time.monotonic() + TIMEOUT_S
    while not job.snapshot().finished:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job.has_model, job.snapshot().message
    picks = {"latent": "latent_model", "anomaly": "anomaly_model", "kernels": "kernels_model_standard",
             "interpolate": "interp_model", "benchmarks": "bench_model"}
    for page, key in picks.items():
        at = _page(page)
        at.session_state[space.SESSION_JOBS] = [job]
        at.run()
        at.selectbox(key=key).set_value("mine").run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        if page == "benchmarks":
            at.button(key="bench_evaluate").click().run()
            assert not at.exception and "mine" in at.dataframe[-1].value.index
        elif page == "latent":
            assert len(at.get("plotly_chart")) == 1
