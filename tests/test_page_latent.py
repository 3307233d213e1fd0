"""AppTest of the Latent map page: the map, the star, the path, a click and the missing-map sentence.

AppTest does not render plotly charts; the figure is read from the element's JSON spec (plotly sends
numpy arrays as base64 typed arrays, decoded here). A click is simulated by setting the chart's
selection state, which is what the browser sends back.
"""

import base64
import json
import shutil
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint, latent

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "latent.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _values(v) -> np.ndarray:
    if isinstance(v, dict):  # {"dtype": "f4", "bdata": "..."}: plotly's typed array
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def _traces(at: AppTest) -> dict[str, np.ndarray]:
    """name -> (n, 2) points of every trace of the map."""
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    data = json.loads(charts[0].proto.spec)["data"]
    return {d["name"]: np.stack([_values(d["x"]), _values(d["y"])], axis=1) for d in data}


def _captions(at: AppTest) -> list[str]:
    return [c for image in at.image for c in image.captions]


def _click(at: AppTest, x: float, y: float) -> AppTest:
    at.session_state["latent_map"] = {"selection": {"points": [{"x": x, "y": y}], "point_indices": [0],
                                                    "box": [], "lasso": []}}
    return at.run()


def test_the_map_has_ten_classes_the_star_and_the_grid():
    at = _run()
    traces = _traces(at)
    assert at.title[0].value == "Latent map"
    assert at.selectbox(key="latent_model").value == "standard_d30"
    assert list(traces) == ["grid"] + [str(c) for c in range(10)] + ["your digit"]
    summary = latent.load_map("standard_d30")
    assert sum(len(traces[str(c)]) for c in range(10)) == len(summary["points"])
    assert len(traces["grid"]) == 40 * 40
    assert len(traces["your digit"]) == 1
    low, high = traces["grid"].min(axis=0), traces["grid"].max(axis=0)
    assert (np.asarray(summary["points"]).min(axis=0) >= low).all()
    assert (np.asarray(summary["points"]).max(axis=0) <= high).all()
    assert _captions(at)[0] == "test digit 7 #0" and _captions(at)[1].startswith("your digit's point, decoded")
    assert not at.warning


def test_the_star_moves_with_the_digit():
    at = _run()
    before = _traces(at)["your digit"]
    at.selectbox(key="latent_class").set_value(1).run()
    assert not np.allclose(_traces(at)["your digit"], before)


def test_switching_the_model_changes_the_map():
    at = _run()
    before = _traces(at)
    at.selectbox(key="latent_model").set_value("conv_d30").run()
    after = _traces(at)
    assert not np.allclose(after["0"][:5], before["0"][:5])
    assert not np.allclose(after["your digit"], before["your digit"])


def test_the_path_toggle_adds_a_path_to_the_second_digit():
    at = _run()
    assert "path to B" not in _traces(at)
    at.toggle(key="latent_path").set_value(True).run()
    traces = _traces(at)
    path = traces["path to B"]
    assert len(path) == 10
    np.testing.assert_allclose(path[0], traces["your digit"][0], atol=1e-3)  # it starts at the star
    assert not np.allclose(path[-1], path[0])  # and ends at B, a 3


def test_a_click_decodes_that_point():
    at = _run()
    before = at.image[0].value[1]  # the row: your digit, then the decoded point
    at = _click(at, 1.0, -0.5)
    assert _captions(at)[1] == "decoded at (1.00, -0.50)"
    assert at.image[0].value[1] != before
    at = _click(at, -1.0, 0.5)
    assert _captions(at)[1] == "decoded at (-1.00, 0.50)"


def _copy_checkpoint(folder: Path, name: str) -> None:
    for suffix in (".json", ".safetensors"):
        shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_a_missing_map_is_an_info_sentence(tmp_path, monkeypatch):
    _copy_checkpoint(tmp_path, "standard_d30")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.latent --name standard_d30" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_a_stale_map_is_a_warning(tmp_path, monkeypatch):
    _copy_checkpoint(tmp_path, "standard_d30")
    summary = latent.load_map("standard_d30")
    summary["sha256"] = "0" * 64
    latent.save_map(summary, "standard_d30", tmp_path)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.latent --name standard_d30" in w.value for w in at.warning)
    assert len(_traces(at)) == 12  # the map is still drawn
