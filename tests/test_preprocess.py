"""Tests for ae_core.preprocess: drawings and uploads -> MNIST-style 28x28 digits, and readable errors."""

import io
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from ae_core.preprocess import load_image_bytes, to_mnist_digit


def seven(size: int = 28) -> np.ndarray:
    """(size, size) uint8: a white '7' drawn with cv2.line on black, in 28x28 proportions."""
    img = np.zeros((size, size), np.uint8)
    s = size / 28
    cv2.line(img, (round(7 * s), round(6 * s)), (round(20 * s), round(6 * s)), 255, max(1, round(2 * s)))
    cv2.line(img, (round(20 * s), round(6 * s)), (round(11 * s), round(22 * s)), 255, max(1, round(2 * s)))
    return img


def centre_of_mass(digit: np.ndarray) -> tuple[float, float]:
    ink = (digit + 1) / 2  # (28, 28) in [0, 1]
    idx = np.arange(28)
    return float(ink.sum(axis=1) @ idx / ink.sum()), float(ink.sum(axis=0) @ idx / ink.sum())


def ink_box(digit: np.ndarray, level: float = -0.5) -> tuple[int, int]:
    """(height, width) of the bounding box of the pixels brighter than `level`."""
    rows, cols = np.nonzero(digit > level)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def png_bytes(array: np.ndarray, **save_args) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG", **save_args)
    return buf.getvalue()


@pytest.mark.parametrize("image", [
    seven(),
    seven(280),
    np.dstack([seven()] * 3),
    seven()[:, :, None],
    seven().astype(bool),
    seven().astype(np.float32) / 255,
    seven().astype(np.float64),
    seven().astype(np.int64),
])
def test_output_is_an_mnist_digit(image):
    digit = to_mnist_digit(image)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() == -1.0 and digit.max() == 1.0
    assert digit[0].max() == -1.0 and digit[:, 0].max() == -1.0  # background stays background
    assert 0.05 < (digit > 0).mean() < 0.5  # some ink, not a filled square


@pytest.mark.parametrize("colour", [(255, 255, 255), (0, 0, 0), (200, 30, 30)])
def test_strokes_on_a_transparent_canvas_are_ink_whatever_their_colour(colour):
    canvas = np.zeros((280, 280, 4), np.uint8)  # transparent, as streamlit-drawable-canvas returns it
    cv2.line(canvas, (140, 40), (140, 240), (*colour, 255), 20)
    digit = to_mnist_digit(canvas)
    assert digit.max() == 1.0 and (digit > 0).sum() > 20
    height, width = ink_box(digit)
    assert height == 20 and width < 6  # the vertical stroke stays a vertical stroke


def test_opaque_rgba_is_read_as_rgb():
    rgb = np.dstack([255 - seven()] * 3)  # black '7' on white
    rgba = np.dstack([rgb, np.full((28, 28), 255, np.uint8)])
    np.testing.assert_array_equal(to_mnist_digit(rgba), to_mnist_digit(rgb))


def test_dark_ink_on_light_paper_is_inverted():
    paper = np.full((100, 80, 3), (235, 230, 220), np.uint8)  # off-white paper, dark blue ink
    cv2.circle(paper, (40, 50), 25, (20, 20, 90), 6)
    digit = to_mnist_digit(paper)
    assert digit[0].max() == -1.0 and digit[:, -1].max() == -1.0
    assert digit[14, 14] == -1.0  # the hole of the ring is background
    assert digit.max() == 1.0 and (digit > 0.5).sum() > 40


def test_light_and_dark_versions_give_the_same_digit():
    np.testing.assert_allclose(to_mnist_digit(255 - seven(200)), to_mnist_digit(seven(200)), atol=1e-5)


def test_off_centre_ink_is_centred_by_its_mass():
    img = np.zeros((300, 400), np.uint8)
    cv2.line(img, (20, 20), (20, 120), 255, 8)  # an 'L' in the top-left corner
    cv2.line(img, (20, 120), (80, 120), 255, 8)
    row, col = centre_of_mass(to_mnist_digit(img))
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


def test_big_ink_is_scaled_to_a_20_pixel_box():
    img = np.zeros((1000, 1000), np.uint8)
    cv2.circle(img, (500, 500), 450, 255, 60)
    height, width = ink_box(to_mnist_digit(img))
    assert 19 <= max(height, width) <= 20


def test_aspect_ratio_is_kept():
    img = np.zeros((200, 200), np.uint8)
    img[20:180, 95:105] = 255  # a tall bar, 16:1
    height, width = ink_box(to_mnist_digit(img))
    assert height == 20 and width <= 2

    dot = np.zeros((50, 50), np.uint8)
    dot[10, 10:40] = 255  # a 1-px-thin line must not vanish when shrunk
    height, width = ink_box(to_mnist_digit(dot))
    assert height == 1 and width == 20


def test_tiny_images_are_accepted():
    img = np.zeros((3, 3), np.uint8)
    img[1, 1] = 255
    digit = to_mnist_digit(img)
    assert ink_box(digit) == (20, 20)  # one pixel of ink enlarged to the 20-px box
    row, col = centre_of_mass(digit)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


def test_16_bit_and_8_bit_give_nearly_the_same_digit():
    img8 = seven(140)
    img16 = img8.astype(np.uint16) * 257  # 255 -> 65535
    np.testing.assert_allclose(to_mnist_digit(img16), to_mnist_digit(img8), atol=1e-3)


def test_a_drawn_seven_survives_the_round_trip():
    digit = to_mnist_digit(seven())
    height, width = ink_box(digit)
    assert height == 20 and 14 <= width <= 17  # 17 x 14 px of ink scaled to 20 tall, proportions kept
    # The same '7' drawn ten times larger, or dark on a big white sheet, gives the same digit ...
    assert np.corrcoef(to_mnist_digit(seven(280)).ravel(), digit.ravel())[0, 1] > 0.9
    sheet = np.full((100, 150), 255, np.uint8)
    sheet[60:88, 90:118] = 255 - seven()
    np.testing.assert_allclose(to_mnist_digit(sheet), digit, atol=1e-6)
    # ... and a digit already in MNIST form comes back as it was.
    assert np.abs(to_mnist_digit((digit + 1) / 2) - digit).mean() < 0.01


@pytest.mark.parametrize("image", [
    np.zeros((280, 280), np.uint8),
    np.full((280, 280, 3), 255, np.uint8),
    np.full((50, 50), 0.4),
    np.zeros((280, 280, 4), np.uint8),  # an untouched transparent canvas
    np.full((1, 1), 255, np.uint8),
])
def test_blank_images_raise(image):
    with pytest.raises(ValueError, match="blank"):
        to_mnist_digit(image)


def test_faint_noise_alone_counts_as_blank():
    rng = np.random.default_rng(0)
    noisy = np.clip(128 + rng.normal(0, 4, (64, 64)), 0, 255).astype(np.uint8)  # JPEG-like grain
    with pytest.raises(ValueError, match="blank"):
        to_mnist_digit(noisy)


@pytest.mark.parametrize("image", [
    np.zeros((2, 28, 28, 1), np.uint8),  # 4-D
    np.zeros((28, 28, 2), np.uint8),
    np.zeros(28, np.uint8),
    np.zeros((0, 28), np.uint8),
    np.zeros((28, 28), np.complex64),
    np.full((28, 28), None, object),
    np.array([["a", "b"], ["c", "d"]]),
    np.full((28, 28), np.nan),
    np.full((28, 28), -0.5),
    np.full((28, 28), 300.0),
    [[0, 1], [1]],  # ragged
])
def test_bad_inputs_raise_value_error(image):
    with pytest.raises(ValueError):
        to_mnist_digit(image)


def test_png_round_trip():
    img = seven(56)
    loaded = load_image_bytes(png_bytes(img))
    np.testing.assert_array_equal(loaded, img)
    np.testing.assert_array_equal(load_image_bytes(png_bytes(np.dstack([img] * 3))), np.dstack([img] * 3))


def test_rgba_png_keeps_alpha():
    canvas = np.zeros((60, 60, 4), np.uint8)
    cv2.line(canvas, (30, 5), (30, 55), (0, 0, 0, 255), 5)
    loaded = load_image_bytes(png_bytes(canvas))
    assert loaded.shape == (60, 60, 4) and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded[:, :, 3], canvas[:, :, 3])
    assert to_mnist_digit(loaded).max() == 1.0


def test_16_bit_png():
    img16 = seven(56).astype(np.uint16) * 257
    img16[img16 > 0] -= 1000  # values only 16 bits can hold
    loaded = load_image_bytes(png_bytes(img16))
    assert loaded.dtype == np.uint16
    np.testing.assert_array_equal(loaded, img16)


def test_float_tiff_keeps_its_values():
    img = seven(56).astype(np.float32) / 255  # (56, 56) in [0, 1]
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="TIFF")
    loaded = load_image_bytes(buf.getvalue())
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, img)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP", "JPEG"])
def test_other_formats(fmt):
    buf = io.BytesIO()
    Image.fromarray(255 - seven(56)).save(buf, format=fmt)
    loaded = load_image_bytes(buf.getvalue())
    assert loaded.shape[:2] == (56, 56)
    reference = to_mnist_digit(255 - seven(56))
    assert np.abs(to_mnist_digit(loaded) - reference).mean() < 0.1


def test_gif_with_transparency_and_several_frames_reads_the_first():
    first, second = np.zeros((40, 40), np.uint8), np.zeros((40, 40), np.uint8)
    first[5:35, 18:22] = 255
    second[18:22, 5:35] = 255
    buf = io.BytesIO()
    frames = [Image.fromarray(f) for f in (first, second)]
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], transparency=0)
    loaded = load_image_bytes(buf.getvalue())
    assert loaded.shape == (40, 40, 4)
    height, width = ink_box(to_mnist_digit(loaded))
    assert height > width  # the vertical bar of the first frame, not the horizontal one


@pytest.mark.parametrize("data, message", [
    (b"", "not an image"),
    (np.random.default_rng(0).bytes(2000), "not an image"),
    (b"%PDF-1.4 not a picture", "not an image"),
    (png_bytes(np.random.default_rng(0).integers(0, 256, (200, 200), np.uint8))[:300], "not an image"),
])
def test_unreadable_files_raise(data, message):
    with pytest.raises(ValueError, match=message):
        load_image_bytes(data)


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid 100x100 PNG whose header claims width x height: only reading the pixels would find out."""
    data = png_bytes(np.zeros((100, 100), np.uint8))
    fields = width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[24:29]  # IHDR: size, depth, ...
    return data[:16] + fields + zlib.crc32(b"IHDR" + fields).to_bytes(4, "big") + data[33:]


def test_too_large_images_raise_before_decoding():
    with pytest.raises(ValueError, match="too large: 100x100 = 10,000 pixels, the limit is 9,999"):
        load_image_bytes(png_bytes(np.zeros((100, 100), np.uint8)), max_pixels=9999)
    # Decoding these would fail as truncated ("not an image"): "too large" shows the header decided.
    with pytest.raises(ValueError, match="too large: 5000x5000"):
        load_image_bytes(png_claiming_size(5000, 5000))
    with pytest.raises(ValueError, match="too large"):  # Pillow's own decompression-bomb limit
        load_image_bytes(png_claiming_size(50_000, 50_000), max_pixels=10**10)
