"""AppTest of the Compress page: it runs, every control changes what it shows (format, quality, headers,
model, digit), it works for a model of this session and on the offline data fallback."""

import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint, compress
from ae_core.config import ModelConfig
from ae_core.models import build_model
from ui import compress as view
from ui import loaders
from ui.space import SESSION_UPLOADS

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "compress.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _trace(at: AppTest, name: str) -> dict:
    return next(t for t in _figure(at)["data"] if t["name"] == name)


def _captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def _verdict(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**The lecture's claim**"))


def _stars(trace: dict) -> list[str]:
    return [text for text, symbol in zip(trace["text"], trace["marker"]["symbol"], strict=True) if symbol == "star"]


def test_default_page_shows_the_digit_at_every_format_the_codecs_and_the_verdict():
    at = _ok(_run())
    assert at.title[0].value == "Compress"
    assert at.selectbox(key="compress_model").value == "conv_d30"
    assert at.radio(key="compress_format").value == "q8"
    captions = _captions(at)
    assert captions[0] == "test digit 7 #0" and len(captions) == 1 + 5 + 4
    assert [c.split(":")[0] for c in captions[1:6]] == ["float32", "float16", "8-bit", "6-bit", "4-bit"]
    assert "960 bits" in captions[1] and "120 bits" in captions[5]
    assert captions[6].startswith("PCA-30, 8-bit: 240 bits") and captions[7].startswith("JPEG q20: ")
    assert "B scan data" in captions[7] and "B bitstream" in captions[8]
    assert captions[9].startswith("PNG lossless") and captions[9].endswith("exact")  # an MNIST digit comes back exactly
    table = at.dataframe[0].value
    methods = list(table["method"])  # named as the pictures' captions name them
    assert len(table) == 5 + 5 + 3 and methods[0] == "conv_d30, float32" and methods[5] == "PCA-30, float32"
    assert methods[-3:] == ["JPEG q20", "WebP q20", "PNG lossless"]
    assert (table["bits (whole file)"] >= table["bits (payload)"]).all()
    side = next(m.value for m in at.markdown if m.value.startswith("**Besides the code"))
    assert "130,529 numbers" in side and "522,116 bytes" in side and "60 numbers" in side
    verdict = _verdict(at)
    assert "240 bits" in verdict and "JPEG needs" in verdict and "WebP needs" in verdict
    names = [t["name"] for t in _figure(at)["data"]]
    assert names[:4] == ["conv_d30, test set", "PCA-30, test set", "JPEG, test set", "WebP, test set"]
    assert "your digit: conv_d30" in names and "your digit: JPEG" in names
    assert _stars(_trace(at, "your digit: conv_d30")) == ["8-bit"]
    assert _stars(_trace(at, "your digit: JPEG")) == ["q20"]


def test_the_format_moves_the_star_and_changes_the_verdict():
    at = _ok(_run())
    before = _verdict(at)
    at.radio(key="compress_format").set_value("q4").run()
    _ok(at)
    assert _stars(_trace(at, "your digit: conv_d30")) == ["4-bit"]
    assert _stars(_trace(at, "your digit: PCA-30")) == ["4-bit"]
    assert _captions(at)[6].startswith("PCA-30, 4-bit: 120 bits")
    after = _verdict(at)
    assert after != before and "120 bits" in after and "4-bit code" in after


def test_the_quality_changes_the_codec_images_and_the_table():
    at = _ok(_run())
    jpeg, webp = _captions(at)[7:9]
    at.slider(key="compress_quality").set_value(90).run()
    _ok(at)
    assert _captions(at)[7].startswith("JPEG q90: ") and _captions(at)[7] != jpeg and _captions(at)[8] != webp
    assert "JPEG q90" in set(at.dataframe[0].value["method"])
    assert _stars(_trace(at, "your digit: WebP")) == ["q90"]


def test_the_headers_toggle_switches_the_codec_sizes_on_the_plot():
    at = _ok(_run())
    with_headers = _trace(at, "JPEG, test set")["x"]
    assert "whole files" in _figure(at)["layout"]["xaxis"]["title"]["text"]
    at.toggle(key="compress_headers").set_value(False).run()
    _ok(at)
    without = _trace(at, "JPEG, test set")["x"]
    assert all(a < b for a, b in zip(without, with_headers, strict=True))  # a JPEG's tables are hundreds of bytes
    assert "payload only" in _figure(at)["layout"]["xaxis"]["title"]["text"]


def test_the_lecture_model_and_another_digit():
    at = _ok(_run())
    at.selectbox(key="compress_model").set_value("standard_d30").run()
    _ok(at)
    assert "24,304 numbers" in next(m.value for m in at.markdown if m.value.startswith("**Besides the code"))
    assert "smallest file already beats" in _verdict(at)  # JPEG at quality 1 already scores more than 18.98 dB
    before = _captions(at)[1]
    at.selectbox(key="compress_class").set_value(1).run()
    _ok(at)
    assert _captions(at)[0] == "test digit 1 #0" and _captions(at)[1] != before


def test_a_session_model_gets_ranges_and_a_curve_measured_here(tmp_path):
    torch.manual_seed(0)
    model = build_model(ModelConfig(code_size=12)).eval()
    checkpoint.save(model, "mine", {"training": {}, "data": {}, "epochs": 0}, tmp_path)
    at = _run({SESSION_UPLOADS: {"mine": tmp_path}})
    at.selectbox(key="compress_model").set_value("mine").run()
    _ok(at)
    assert any("not in the stored benchmark" in c.value for c in at.caption)
    assert "computed here from" in next(m.value for m in at.markdown if m.value.startswith("**Besides the code"))
    names = [t["name"] for t in _figure(at)["data"]]
    assert f"mine, first {view.SESSION_TEST_DIGITS:,} test digits" in names and "your digit: PCA-12" in names
    assert _captions(at)[3].startswith("8-bit: 96 bits")
    assert "96 bits" in _verdict(at)


def test_an_over_complete_session_model_has_no_pca_and_is_no_compressor(tmp_path):
    torch.manual_seed(0)
    checkpoint.save(build_model(ModelConfig(code_size=1000)).eval(), "wide", {"training": {}, "data": {}, "epochs": 0},
                    tmp_path)
    at = _run({SESSION_UPLOADS: {"wide": tmp_path}})
    at.selectbox(key="compress_model").set_value("wide").run()
    _ok(at)
    assert "There is no PCA with 1000 components" in next(m.value for m in at.markdown
                                                           if m.value.startswith("**Besides the code"))
    assert len(_captions(at)) == 1 + 5 + 3 and "your digit: PCA-1000" not in [t["name"] for t in _figure(at)["data"]]
    assert "larger than the raw digit" in _verdict(at)


def test_a_stale_codec_file_is_recomputed(tmp_path, monkeypatch):
    for suffix in (".json", ".safetensors", ".codec.json"):
        source = checkpoint.default_dir() / f"standard_d30{suffix}"
        (tmp_path / source.name).write_bytes(source.read_bytes())
    path = compress.codec_path("standard_d30", tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), "sha256": "0" * 64}))
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _ok(_run())
    side = next(m.value for m in at.markdown if m.value.startswith("**Besides the code"))
    assert "the stored ranges belong to other weights" in side


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    caches = (loaders.test_digits, loaders.train_digits, view._full_pca, view.pca_codec, view.session_curve,
              view._computed_codec)
    for cache in caches:
        cache.clear()  # the cached sets may be the full ones from an earlier test
    yield
    for cache in caches:
        cache.clear()


def test_offline_fallback_works_from_the_stored_files(offline):
    at = _ok(_run())
    assert any("Offline fallback" in i.value for i in at.info)
    assert len(_captions(at)) == 10 and at.get("plotly_chart")
    assert "stored in conv_d30.codec.json" in next(m.value for m in at.markdown
                                                   if m.value.startswith("**Besides the code"))
    assert "JPEG needs" in _verdict(at)  # the stored benchmark's curves still hold
