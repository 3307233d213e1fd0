"""AppTest of the Anomaly score page: it runs, the digit and the model change the score and the histogram,
and a missing, stale or broken summary gets a sentence instead of a traceback."""

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint
from ae_core.anomaly import summary_path
from ui import loaders

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "anomaly.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _score(at: AppTest) -> tuple[str, str]:
    """(error, percentile) as the two metrics show them."""
    assert not at.exception, at.exception
    return at.metric[0].value, at.metric[1].value


def _figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _copy(folder: Path, *names: str, summaries: bool = True) -> None:
    for name in names:
        for suffix in (".json", ".safetensors") + ((".anomaly.json",) if summaries else ()):
            shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_default_page_scores_a_7_with_the_standard_model():
    at = _run()
    error, share = _score(at)
    assert at.title[0].value == "Anomaly score"
    assert at.selectbox(key="anomaly_model").value == "standard_d30"
    assert 0 < float(error) < 0.05 and share.endswith("%") and 0 <= float(share[:-1]) <= 100
    assert any("more unusual than" in m.value for m in at.markdown)
    assert at.image[0].captions == ["test digit 7 #0", "reconstruction (standard_d30)"]
    traces = _figure(at)["data"]
    assert [t["name"] for t in traces] == ["test digits", "your digit"]
    assert traces[1]["x"] == [pytest.approx(float(error), abs=5e-5)] * 2  # the line sits at this digit's error
    assert not at.warning


def test_model_picker_offers_only_bottleneck_models_with_a_summary():
    options = _run().selectbox(key="anomaly_model").options
    assert "standard_d30" in options and "conv_d30" in options
    assert "repair_unet" not in options
    assert all(summary_path(name).is_file() for name in options)


def test_picking_another_digit_changes_the_score():
    at = _run()
    before = _score(at)
    at.selectbox(key="anomaly_class").set_value(1).run()
    assert _score(at)[0] != before[0]
    assert at.image[0].captions[0] == "test digit 1 #0"


def test_switching_the_model_changes_the_score_and_the_histogram():
    at = _run()
    before, figure = _score(at), _figure(at)
    at.selectbox(key="anomaly_model").set_value("conv_d30").run()
    assert _score(at)[0] != before[0]
    after = _figure(at)
    assert after["data"][0]["x"] != figure["data"][0]["x"]
    assert any(m.value.startswith("**Errors of the") and "conv_d30" in m.value for m in at.markdown)  # its title


@pytest.mark.mnist
def test_examples_with_the_full_test_set(mnist_test):
    at = _run()
    assert not at.exception
    assert [len(image.value) for image in at.image] == [2, 8, 8]  # digit and reconstruction, two rows of examples
    assert not any("need the full MNIST" in i.value for i in at.info)


def test_offline_fallback_keeps_the_score_and_skips_the_examples(monkeypatch):
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    loaders.test_digits.clear()  # the cached test set may be the full one from an earlier test
    try:
        at = _run()
        _score(at)
        assert any("need the full MNIST" in i.value for i in at.info)
        assert len(at.image) == 1 and len(at.image[0].value) == 2 and at.get("plotly_chart")
    finally:
        loaders.test_digits.clear()


def test_missing_summaries_say_how_to_compute_one(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30", summaries=False)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.anomaly --name standard_d30" in i.value for i in at.info)
    assert not at.metric and not at.get("plotly_chart")


def test_a_stale_summary_is_a_warning(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30")
    path = tmp_path / "standard_d30.anomaly.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "sha256": "0" * 64}))
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    _score(at)
    assert any("is stale" in w.value for w in at.warning)
    assert any("python -m ae_core.anomaly --name standard_d30" in w.value for w in at.warning)


def test_a_broken_summary_is_an_error_sentence(tmp_path, monkeypatch):
    _copy(tmp_path, "standard_d30")
    (tmp_path / "standard_d30.anomaly.json").write_text("{not json")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("standard_d30 cannot score" in e.value and "not readable JSON" in e.value for e in at.error)
    assert not at.metric
