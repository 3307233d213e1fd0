"""AppTest: the app starts, routes to Home, and lists every model card (and reports broken ones)."""

import re
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ae_core import checkpoint

APP = Path(__file__).resolve().parent.parent / "app.py"


def _run_home():
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_home_lists_every_model_card():
    at = _run_home()
    assert not at.exception
    assert at.title[0].value == "AE Lab"
    table = at.table[0].value
    assert sorted(table.index) == checkpoint.list_checkpoints()
    assert table.loc["denoising_d500", "code size d"] == 500
    scores = at.table[1].value  # what each scores, in a second narrow table
    assert sorted(scores.index) == sorted(table.index) and scores.loc["denoising_d500", "dropout"] > 15


def test_home_lists_the_pages_in_the_routers_order():
    """The router's sections put the lecture's pages in the lecture's order; Home describes the same pages
    in the same order, each in one line."""
    routed = re.findall(r'st\.Page\("[^"]+", title=_\("([^"]+)"\)', APP.read_text())[1:]  # every page but Home itself
    assert routed[:6] == ["Generate", "Interpolate", "Transformations", "Super-resolution", "Repair", "Compress"]
    listing = next(m.value for m in _run_home().markdown if "**The lecture**" in m.value)
    described = re.findall(r"^- \*\*([^*]+)\*\*", listing, flags=re.MULTILINE)
    assert described == routed


def test_home_reports_a_broken_card_and_keeps_the_rest(tmp_path, monkeypatch):
    for name in checkpoint.list_checkpoints():
        for suffix in (".json", ".safetensors"):
            shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", tmp_path)
    (tmp_path / "broken.json").write_text("{ not json")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run_home()
    assert not at.exception
    assert any("broken.json" in e.value for e in at.error)
    assert "standard_d30" in at.table[0].value.index


def test_home_without_checkpoints_says_how_to_train(tmp_path, monkeypatch):
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path / "none"))
    at = _run_home()
    assert not at.exception
    assert "python -m ae_core.train" in at.info[0].value
    assert len(at.table) == 0
