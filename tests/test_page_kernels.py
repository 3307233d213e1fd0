"""AppTest of the Kernels page: it runs, and count, order, the enlarged kernel and the pickers change what
is shown; the table's figures are those of ae_core.kernels on the shipped checkpoints."""

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint, kernels
from ae_core.data import load_mnist
from ae_core.models import encoder_kernels

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "kernels.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _array(value) -> np.ndarray:
    """A plotly array from a figure's JSON: a list, or a base64 typed array {"dtype", "bdata", "shape"}."""
    if not isinstance(value, dict):
        return np.array(value, dtype=float)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
    return flat.reshape([int(n) for n in str(value["shape"]).split(",")])


def _charts(at: AppTest) -> dict[str, list[dict]]:
    """Each plotly chart's traces by the chart's key."""
    assert not at.exception, at.exception
    return {chart.key: json.loads(chart.proto.spec)["data"] for chart in at.get("plotly_chart")}


def _z(at: AppTest, key: str) -> np.ndarray:
    return _array(_charts(at)[key][0]["z"])


def _weights(name: str) -> np.ndarray:
    return encoder_kernels(checkpoint.load(name)[0]).numpy()  # (d, 28, 28)


def _copy_checkpoints(folder: Path, *names: str) -> None:
    for name in names:
        for suffix in (".json", ".safetensors"):
            shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_default_shows_30_kernels_of_each_model_by_index():
    at = _run()
    charts = _charts(at)
    assert set(charts) == {"kernels_grid_standard", "kernels_zoom_standard", "kernels_grid_denoising",
                           "kernels_zoom_denoising"}
    assert at.selectbox(key="kernels_model_standard").value == "standard_d30"
    assert at.selectbox(key="kernels_model_denoising").value == "denoising_d500"
    standard = _weights("standard_d30")
    for side in ("standard", "denoising"):
        grid = _z(at, f"kernels_grid_{side}")
        assert grid.shape == (3 * 29 - 1, 10 * 29 - 1)  # 30 kernels, 10 a row, 1-pixel NaN gutters
        assert np.isnan(grid[28]).all() and np.isnan(grid[:, 28]).all()
        trace = charts[f"kernels_grid_{side}"][0]
        assert trace["colorscale"][0][1] == "rgb(103,0,31)" and trace["zmin"] == -trace["zmax"]  # RdBu, at 0
    np.testing.assert_allclose(_z(at, "kernels_grid_standard")[29:57, 29:57], standard[11], rtol=1e-6)
    assert _array(charts["kernels_grid_standard"][0]["customdata"])[29, 29] == 11
    assert [t["type"] for t in charts["kernels_zoom_standard"]] == ["heatmap", "contour"]  # + the region


def test_kernel_count_changes_the_grid_shape():
    at = _run()
    at.slider(key="kernels_count").set_value(5).run()
    assert _z(at, "kernels_grid_standard").shape == _z(at, "kernels_grid_denoising").shape == (28, 5 * 29 - 1)
    at.slider(key="kernels_count").set_value(64).run()
    assert _z(at, "kernels_grid_standard").shape == (3 * 29 - 1, 10 * 29 - 1)  # it has only 30
    assert _z(at, "kernels_grid_denoising").shape == (7 * 29 - 1, 10 * 29 - 1)
    assert any("30 of its 30 kernels" in c.value for c in at.caption)


@pytest.mark.parametrize(("side", "name"), [("standard", "standard_d30"), ("denoising", "denoising_d500")])
def test_norm_order_puts_the_largest_norm_kernel_first(side, name):
    w = _weights(name)
    largest = int(np.argmax(np.linalg.norm(w.reshape(len(w), -1), axis=1)))
    assert largest != 0  # else this test could not tell the two orders apart
    at = _run()
    np.testing.assert_allclose(_z(at, f"kernels_grid_{side}")[:28, :28], w[0], rtol=1e-6)
    at.radio(key="kernels_order").set_value("norm").run()
    np.testing.assert_allclose(_z(at, f"kernels_grid_{side}")[:28, :28], w[largest], rtol=1e-6)
    assert _array(_charts(at)[f"kernels_grid_{side}"][0]["customdata"])[0, 0] == largest
    assert any("largest L2 norm first" in c.value for c in at.caption)


def test_enlarged_kernel_follows_the_pick():
    w = _weights("denoising_d500")
    at = _run()
    np.testing.assert_allclose(_z(at, "kernels_zoom_denoising"), w[0], rtol=1e-6)
    at.number_input(key="kernels_pick_denoising").set_value(321).run()
    np.testing.assert_allclose(_z(at, "kernels_zoom_denoising"), w[321], rtol=1e-6)
    assert any(c.value.startswith("Kernel 321 of denoising_d500") for c in at.caption)


def test_switching_to_a_smaller_model_keeps_the_pick_in_range():
    at = _run()
    at.number_input(key="kernels_pick_denoising").set_value(400).run()
    at.selectbox(key="kernels_model_denoising").set_value("standard_d30").run()
    assert at.number_input(key="kernels_pick_denoising").value == 29
    np.testing.assert_allclose(_z(at, "kernels_zoom_denoising"), _weights("standard_d30")[29], rtol=1e-6)


def test_table_quantifies_flat_denoising_kernels():
    at = _run()
    table = at.table[0].value
    assert list(table.index) == ["standard_d30", "denoising_d500"]
    region = kernels.digit_region(load_mnist(train=False).images)  # what the page's test_digits() loads
    for name in table.index:
        assert table.loc[name, "energy outside the region"] == pytest.approx(
            kernels.energy_outside(_weights(name), region))
    # The lecture's observation: the denoising kernels leave the background alone, the standard ones do not.
    assert table.loc["denoising_d500", "energy outside the region"] < table.loc["standard_d30",
                                                                                "energy outside the region"]
    assert table.loc["denoising_d500", "outside / inside"] < 1 < table.loc["standard_d30", "outside / inside"]
    assert any(f"the {region.sum()} pixels where at least 1%" in c.value for c in at.caption)


def test_a_corrupt_checkpoint_is_an_error_sentence_and_the_other_side_still_works(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "standard_d30", "denoising_d500")
    (tmp_path / "standard_d30.safetensors").write_bytes(b"not the weights")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert any("standard_d30 cannot be used" in e.value and "sha256" in e.value for e in at.error)
    assert at.selectbox(key="kernels_model_standard").options == ["denoising_d500"]  # not offered
    assert "kernels_grid_denoising" in _charts(at)


def test_no_linear_checkpoint_says_how_to_train(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "conv_d30")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("No linear autoencoder" in i.value for i in at.info)
    assert not at.get("plotly_chart")
