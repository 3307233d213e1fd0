"""The bad-input matrix (issue 7): whatever a user gets wrong gives a sentence, never a traceback, and the
app keeps working with what is still good.

- uploads and drawings: at the ae_core level, each file of UPLOADS (tests/test_browser_bad_input.py uploads
  the same series in Chromium) and the canvas states (empty, one dot, fully painted);
- the pages' inputs at their extremes and nonsense links, with AppTest (tests/test_page_repair.py already
  checks p = 0 and p = 1 from a link and class=eleven, p=nan, damage=fire, seed=-4: not repeated here);
- broken checkpoints, at the ae_core level and on the Home and Repair pages (AE_CHECKPOINT_DIR points at
  a temp folder holding tiny models saved with ae_core.checkpoint.save). A weights file is always found
  through its card (`folder / card["weights"]`), whatever name save() gives it.
"""

import io
import json
import re
import zlib
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from ae_core import checkpoint
from ae_core.config import ModelConfig
from ae_core.data import class_counts, load_mnist
from ae_core.inference import interpolate_latent, interpolate_pixels
from ae_core.models import build_model
from ae_core.preprocess import load_image_bytes, to_mnist_digit
from tests.metrics_tables import metrics_table
from ui.digits import MAX_UPLOAD_PIXELS
from ui.repair import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
APP, REPAIR, INTERPOLATE = (str(ROOT / p) for p in ("app.py", "app_pages/repair.py", "app_pages/interpolate.py"))
METHODS = ["standard_d30", "denoising_d500", "projection: denoising_d500", "repair_resunet", "Telea", "Navier-Stokes",
           "Biharmonic"]
BLANK = "The image is blank: one flat shade with no digit on it"


# --- uploads --------------------------------------------------------------------------------------------

def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _seven(size: tuple[int, int] = (120, 160), ink: int = 0, paper: int = 255) -> np.ndarray:
    """(H, W) uint8: a '7' as a photo of a drawing would have it (dark ink on white paper by default)."""
    image = Image.new("L", size, paper)
    ImageDraw.Draw(image).line([(30, 30), (90, 30), (50, 140)], fill=ink, width=12)
    return np.asarray(image)


def _png_claiming(width: int, height: int) -> bytes:
    """A 100x100 PNG whose header claims width x height: a decompression bomb, a few hundred bytes."""
    data = _png(np.zeros((100, 100), np.uint8))
    fields = width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[24:29]  # IHDR: size, depth, ...
    return data[:16] + fields + zlib.crc32(b"IHDR" + fields).to_bytes(4, "big") + data[33:]


def _transparent_seven() -> bytes:
    """RGBA: a black '7' on a fully transparent background (what an export from a drawing app gives)."""
    rgba = np.zeros((160, 120, 4), np.uint8)
    rgba[:, :, 3] = 255 - _seven()  # alpha is the ink; the colour is black everywhere
    return _png(rgba)


def _animated_gif() -> bytes:
    """Two frames: a vertical bar, then a horizontal one. The first frame is the digit."""
    frames = [np.zeros((40, 40), np.uint8), np.zeros((40, 40), np.uint8)]
    frames[0][5:35, 18:22] = 255
    frames[1][18:22, 5:35] = 255
    buffer = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=200, loop=0)
    return buffer.getvalue()


def _taller_than_wide(digit: np.ndarray) -> bool:
    rows, cols = np.nonzero(digit > 0)
    return np.ptp(rows) > 3 * np.ptp(cols)


def _like_the_seven(digit: np.ndarray) -> bool:
    return np.corrcoef(digit.ravel(), to_mnist_digit(_seven()).ravel())[0, 1] > 0.98


class Upload(NamedTuple):
    name: str  # file name, as the browser sends it
    mime: str
    data: bytes
    message: str | None  # the start of the sentence the user reads, or None: a digit comes out
    check: object = None  # for a digit: a test the digit must pass


GOOD_UPLOAD = Upload("seven.png", "image/png", _png(_seven()), None, _like_the_seven)
_GOOD = GOOD_UPLOAD.data
UPLOADS = [  # the order of the browser series: bad files keep the last good digit on the page
    Upload("empty.png", "image/png", b"", "This file is not an image we can read: it is empty."),
    Upload("notes.txt", "text/plain", b"Remember: draw the 7 with a bar.\n",
           "This file is not an image we can read: its content is in no image format we know"),
    Upload("truncated.png", "image/png", _GOOD[:len(_GOOD) // 2],
           "This file is not an image we can read: image file is truncated"),
    Upload("huge.png", "image/png", _png(np.zeros((4100, 4100), np.uint8)),
           "The image is too large: 4100x4100 = 16,810,000 pixels, the limit is 16,777,216."),
    Upload("bomb.png", "image/png", _png_claiming(100_000, 100_000),
           "The image is too large: Image size (10000000000 pixels) exceeds limit"),
    Upload("grey16.png", "image/png", _png(_seven().astype(np.uint16) * 257), None, _like_the_seven),
    Upload("transparent.png", "image/png", _transparent_seven(), None, _like_the_seven),
    Upload("one-pixel.png", "image/png", _png(np.full((1, 1), 255, np.uint8)), BLANK),
    Upload("animated.gif", "image/gif", _animated_gif(), None, _taller_than_wide),
]


def test_the_upload_payloads_are_what_they_claim():
    by_name = {u.name: u for u in UPLOADS}
    assert len(by_name["bomb.png"].data) < 1000 and len(by_name["huge.png"].data) < 100_000  # small files
    assert Image.open(io.BytesIO(by_name["grey16.png"].data)).mode.startswith("I")
    assert Image.open(io.BytesIO(by_name["transparent.png"].data)).mode == "RGBA"
    assert Image.open(io.BytesIO(by_name["animated.gif"].data)).n_frames == 2


@pytest.mark.parametrize("upload", [GOOD_UPLOAD, *UPLOADS], ids=lambda u: u.name)
def test_each_upload_gives_a_digit_or_a_sentence(upload):
    """What ui.digits does with an upload: load_image_bytes with the app's pixel limit, then to_mnist_digit."""
    if upload.message is None:
        digit = to_mnist_digit(load_image_bytes(upload.data, MAX_UPLOAD_PIXELS))
        assert digit.shape == (28, 28) and digit.dtype == np.float32
        assert digit.min() == -1.0 and digit.max() == 1.0
        assert upload.check(digit)
        return
    with pytest.raises(ValueError, match=re.escape(upload.message)) as err:
        to_mnist_digit(load_image_bytes(upload.data, MAX_UPLOAD_PIXELS))
    assert "<" not in str(err.value) and len(str(err.value)) < 250  # no object reprs, no dumps


# --- the canvas (what streamlit-drawable-canvas returns: (280, 280, 4) RGBA, transparent where untouched) ---

def test_an_empty_canvas_is_blank():
    with pytest.raises(ValueError, match=re.escape(BLANK)):
        to_mnist_digit(np.zeros((280, 280, 4), np.uint8))


def test_one_dot_becomes_a_round_blob_in_the_middle():
    """A click draws one round dot of the pen's width; like any drawing it is scaled to the 20-px box.
    An odd digit, but a valid one: the pages show it and the models repair it."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    cv2.circle(canvas, (140, 140), 11, (255, 255, 255, 255), -1)
    digit = to_mnist_digit(canvas)
    rows, cols = np.nonzero(digit > 0)
    assert 17 <= np.ptp(rows) + 1 <= 20 and 17 <= np.ptp(cols) + 1 <= 20
    assert abs(rows.mean() - 14) < 1 and abs(cols.mean() - 14) < 1
    assert digit[0].max() == -1.0 and digit[:, 0].max() == -1.0


@pytest.mark.parametrize("colour", [(255, 255, 255), (200, 30, 30)], ids=["white", "red"])
def test_a_fully_painted_canvas_is_one_flat_shade(colour):
    """No border contrast: nothing is ink. The sentence says so instead of claiming nothing was drawn."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[:] = (*colour, 255)
    with pytest.raises(ValueError, match=re.escape(BLANK)) as err:
        to_mnist_digit(canvas)
    assert "painted over" in str(err.value)


# --- pages at their extremes (AppTest) ---------------------------------------------------------------------

def _run(script: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(script, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _figures(at: AppTest) -> list[str]:
    """The Repair page's methods with figures, in the line-up's order; asserts it ran cleanly and still ranks
    them (its table sorted by whole-image PSNR)."""
    assert not at.exception, at.exception
    table = metrics_table(at)
    assert table["psnr"].is_monotonic_decreasing, "the table is not ranked"
    assert set(table.index) <= set(METHODS), table.index
    return [name for name in METHODS if name in table.index]


def _not_applicable(at: AppTest) -> bool:
    return any("not applicable" in c.value for c in at.caption)


def test_plain_masking_at_p_0_and_1_from_the_slider():
    at = _run(REPAIR)
    at.selectbox(key="repair_damage").set_value("mask").run()
    at.slider(key="repair_p").set_value(0.0).run()
    assert _figures(at) == METHODS and metrics_table(at).loc["Telea", "psnr"] == 100.0
    at.slider(key="repair_p").set_value(1.0).run()
    assert _figures(at) == METHODS[:4] and _not_applicable(at)  # nothing known: no inpainting
    assert at.query_params["p"] == "1"
    at.slider(key="repair_p").set_value(0.5).run()  # and back: everything again
    assert _figures(at) == METHODS and not _not_applicable(at)


def test_a_patch_in_the_far_corner_and_beyond_the_sliders():
    at = _run(REPAIR)
    at.selectbox(key="repair_damage").set_value("patch").run()
    for key, value in (("repair_patch_size", 28), ("repair_patch_top", 27), ("repair_patch_left", 27)):
        at.slider(key=key).set_value(value).run()
    assert _figures(at) == METHODS  # the patch is clipped to the image: one pixel damaged
    at.slider(key="repair_patch_top").set_value(40).run()  # past the slider's end: Streamlit keeps it in range
    assert 0 <= at.slider(key="repair_patch_top").value <= 27
    assert _figures(at) == METHODS


def test_a_patch_link_with_an_impossible_p():
    at = _run(REPAIR, {"damage": "patch", "p": "3", "seed": "1e9"})
    assert [w.value for w in at.warning] == ["The link's p='3' cannot be used; showing 0.5 instead.",
                                             "The link's seed='1e9' cannot be used; showing 0 instead."]
    assert at.selectbox(key="repair_damage").value == "patch" and _figures(at) == METHODS


@pytest.mark.parametrize("key, value", [("p", "inf"), ("p", ""), ("p", "0x1"), ("class", "7.5"), ("index", "-1"),
                                        ("seed", "99999999999"), ("damage", "painted"), ("damage", "DROPOUT")])
def test_more_nonsense_in_the_link_falls_back_with_a_warning(key, value):
    """Beyond tests/test_page_repair.py's class=eleven, p=nan, damage=fire, seed=-4."""
    at = _run(REPAIR, {key: value})
    expected = f"The link's {key}={value!r} cannot be used; showing {DEFAULTS[key]!r} instead."
    assert [w.value for w in at.warning] == [expected]
    assert _figures(at) == METHODS and "test digit 7 #0" in " ".join(c.value for c in at.caption)


def test_a_link_index_past_the_last_digit_shows_the_last_one_and_says_which():
    last = class_counts(load_mnist(train=False))[3] - 1  # the page's digits: AE_DATA_DIR or the fallback
    at = _run(REPAIR, {"class": "3", "index": "999999"})
    assert _figures(at) == METHODS
    assert f"test digit 3 #{last}" in " ".join(c.value for c in at.caption)
    assert at.query_params["index"] == str(last)  # the link now says what the page shows


def test_interpolation_with_one_step():
    a, b = np.full((28, 28), -1.0, np.float32), np.ones((28, 28), np.float32)
    np.testing.assert_array_equal(interpolate_pixels(a, b, 1), a[None])  # one step: just A
    model = build_model(ModelConfig(code_size=3)).eval()
    assert interpolate_latent(model, a, b, 1).shape == (1, 28, 28)
    with pytest.raises(ValueError, match="at least one step"):
        interpolate_pixels(a, b, 0)


def test_the_interpolate_page_keeps_n_within_its_slider():
    at = _run(INTERPOLATE)
    at.slider(key="interp_steps").set_value(1).run()  # below the slider's 2: Streamlit keeps the value in range
    assert not at.exception and 2 <= at.slider(key="interp_steps").value <= 16
    at.slider(key="interp_steps").set_value(2).run()
    assert not at.exception
    strips = [c for image in at.image for c in image.captions][2:]
    assert strips == ["α=0.00", "α=1.00"] * 2


# --- checkpoints --------------------------------------------------------------------------------------------

CARD = {"data": {"source": "synthetic", "n_train": 64, "n_test": 64}, "training": {"noise": "none"}, "epochs": 1,
        "seconds": 0.1, "metrics": {"clean": {"psnr": 10.0}, "dropout": {"psnr": 9.0}}}
GOOD, BAD = "denoising_d500", "standard_d30"  # names the Repair page picks by default: tiny models here
# Repair's line-up when only GOOD can be used: a model in several one-pass roles is one method, then its projection.
GOOD_ONLY = [GOOD, f"projection: {GOOD}", "Telea", "Navier-Stokes", "Biharmonic"]


class Evil:
    """Unpickling this touches a file: loading must never get that far."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def _card_path(folder: Path, name: str = BAD) -> Path:
    return folder / f"{name}.json"


def _weights(folder: Path, name: str = BAD) -> Path:
    return folder / json.loads(_card_path(folder, name).read_text())["weights"]


def _edit_card(folder: Path, edit) -> None:
    card = json.loads(_card_path(folder).read_text())
    edit(card)
    _card_path(folder).write_text(json.dumps(card))


def _weights_with_a_matching_hash(folder: Path, data: bytes) -> None:
    """New weights bytes, and the card's sha256 made to agree: what is inside gets checked."""
    _weights(folder).write_bytes(data)
    _edit_card(folder, lambda card: card.update(sha256=checkpoint._sha256(_weights(folder))))


def _truncate(folder: Path) -> None:
    data = _weights(folder).read_bytes()
    _weights(folder).write_bytes(data[:len(data) // 2])


def _random_bytes(folder: Path) -> None:
    _weights_with_a_matching_hash(folder, np.random.default_rng(0).bytes(4000))


def _card_of_another_model(folder: Path) -> None:
    _edit_card(folder, lambda card: card["model"].update(code_size=7))


def _unknown_architecture(folder: Path) -> None:
    _edit_card(folder, lambda card: card["model"].update(arch="transformer"))


def _a_pickle(folder: Path) -> None:
    buffer = io.BytesIO()
    torch.save({"state": build_model(ModelConfig(code_size=3)).state_dict(), "x": Evil(folder / "pwned")}, buffer)
    _weights_with_a_matching_hash(folder, buffer.getvalue())


def _card_not_json(folder: Path) -> None:
    _card_path(folder).write_text("name: standard_d30\nweights: standard_d30.safetensors\n")


BROKEN = {  # what is done to checkpoint BAD -> the sentence that says so
    "truncated": (_truncate, "does not match its card (sha256 differs): the file is truncated, corrupt"),
    "random-bytes": (_random_bytes, "is not a readable safetensors file (Error while deserializing header"),
    "card-of-another-model": (_card_of_another_model, "do not fit the model its card describes (size mismatch"),
    "unknown-architecture": (_unknown_architecture, "describes a model this version cannot build: Unknown "
                                                    "architecture 'transformer'"),
    "pickle": (_a_pickle, "is not a readable safetensors file"),
    "card-not-json": (_card_not_json, f"The card {BAD}.json is not readable JSON"),
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A checkpoint folder for the app: a good tiny GOOD and a tiny BAD (good until a test breaks it)."""
    torch.manual_seed(0)
    checkpoint.save(build_model(ModelConfig(code_size=4)), GOOD, CARD, folder=tmp_path)
    checkpoint.save(build_model(ModelConfig(code_size=3)), BAD, CARD, folder=tmp_path)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_checkpoint_says_what_is_wrong(folder, kind):
    breaks, message = BROKEN[kind]
    breaks(folder)
    with pytest.raises(checkpoint.CheckpointError, match=re.escape(message)) as err:
        checkpoint.load(BAD, folder)
    assert len(str(err.value)) < 400 and str(err.value).endswith(".")
    assert not (folder / "pwned").exists()  # the pickle was never unpickled
    model, _ = checkpoint.load(GOOD, folder)  # the good one beside it is unaffected
    assert model(torch.zeros(1, 28, 28)).shape == (1, 28, 28)
    assert checkpoint.list_checkpoints(folder) == [GOOD, BAD]


def test_a_missing_or_empty_folder_has_no_checkpoints(tmp_path):
    assert checkpoint.list_checkpoints(tmp_path / "missing") == [] == checkpoint.list_checkpoints(tmp_path)
    with pytest.raises(checkpoint.CheckpointError, match="There is no checkpoint 'standard_d30' in"):
        checkpoint.load(BAD, tmp_path / "missing")


def _errors(at: AppTest) -> list[str]:
    assert not at.exception, at.exception
    return [e.value for e in at.error]


@pytest.mark.parametrize("kind", BROKEN)
def test_home_names_the_broken_checkpoint_and_lists_the_good_one(folder, kind):
    breaks, message = BROKEN[kind]
    breaks(folder)
    at = _run(APP)
    errors = _errors(at)
    assert len(errors) == 1 and BAD in errors[0] and message in errors[0]
    assert list(at.table[0].value.index) == [GOOD]


@pytest.mark.parametrize("kind", BROKEN)
def test_repair_names_the_broken_checkpoint_and_repairs_with_the_rest(folder, kind):
    breaks, message = BROKEN[kind]
    breaks(folder)
    at = _run(REPAIR)
    errors = _errors(at)
    assert len(errors) == 1 and BAD in errors[0] and message in errors[0]
    assert _figures(at) == GOOD_ONLY  # not offered: every role falls back to the good model


@pytest.mark.parametrize("where", ["missing", "empty"])
def test_without_checkpoints_home_says_how_to_train_and_repair_still_inpaints(tmp_path, monkeypatch, where):
    folder = tmp_path / "checkpoints"
    if where == "empty":
        folder.mkdir()
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(folder))
    home = _run(APP)
    assert _errors(home) == [] and "python -m ae_core.train" in home.info[0].value and not home.table
    at = _run(REPAIR)
    assert _errors(at) == []
    assert any("only classical inpainting is compared" in w.value for w in at.warning)
    assert any(i.value == "No checkpoint can serve as the standard AE." for i in at.info)
    assert _figures(at) == ["Telea", "Navier-Stokes", "Biharmonic"]


@pytest.mark.parametrize("script", [APP, REPAIR], ids=["home", "repair"])
def test_a_card_without_its_training_section_is_reported(folder, script):
    _edit_card(folder, lambda card: card.pop("training"))
    at = _run(script)
    assert any(BAD in e for e in _errors(at))


def test_a_model_whose_training_diverged_is_left_out_with_a_warning(folder):
    """Weights that are NaN load fine (they are valid safetensors) but repair into NaN: say so, skip it."""
    diverged = build_model(ModelConfig(code_size=3))
    with torch.no_grad():
        diverged.encoder.weight.fill_(float("nan"))
    checkpoint.save(diverged, BAD, CARD, folder=folder)
    at = _run(REPAIR)
    assert any(w.value.startswith(f"{BAD}: the model's output is not finite") for w in at.warning)
    assert _figures(at) == GOOD_ONLY  # the good model in the denoising and best roles, and projected
