"""Property tests (hypothesis): any input to preprocess, noise and metrics gives a valid result or a ValueError.

Valid means: a float32 (28, 28) digit in [-1, 1] from preprocess; a corruption of the input's shape and kind,
with the values each corruption documents and a bool known mask of the same shape, from noise; finite
figures (NaN only for an empty region, as documented) from metrics. Any other exception fails the test.
Large 28x28 batches are built from a drawn numpy seed rather than pixel by pixel, to keep the file fast.
"""

import io

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from ae_core import metrics, noise
from ae_core.preprocess import load_image_bytes, to_mnist_digit

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DTYPES = [np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16, np.float32, np.float64, np.bool_]
SPECIALS = [np.nan, np.inf, -np.inf, -1.0, 0.0, 1.0, 255.0, 256.0, 1e30, -1e30]
SEEDS = st.none() | st.integers(-(2**70), 2**70) | st.integers(0, 3)
RATES = st.floats(0, 1) | st.sampled_from([0.0, 1.0, 0.5]) | st.floats(allow_nan=True, allow_infinity=True)


def to_numpy(x) -> np.ndarray:
    return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


# --- preprocess -------------------------------------------------------------------------------------------

def assert_digit(digit) -> None:
    """The promise of to_mnist_digit: float32 (28, 28), finite, background -1 and brightest pixel +1."""
    assert isinstance(digit, np.ndarray) and digit.dtype == np.float32 and digit.shape == (28, 28)
    assert np.isfinite(digit).all()
    assert digit.min() == -1 and digit.max() == 1


def digit_or_value_error(image) -> None:
    try:
        digit = to_mnist_digit(image)
    except ValueError as e:
        assert str(e)  # a sentence for the user, never an empty message
        return
    assert_digit(digit)


@st.composite
def any_arrays(draw) -> np.ndarray:
    """Arrays of 0 to 3 dimensions (grey, one to five channels), any dtype; values anywhere or image-like."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    side = st.integers(0, 9)
    shape = draw(st.one_of(
        st.just(()),
        st.tuples(side),
        st.tuples(side, side),
        st.tuples(side, side, st.integers(0, 5)),
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 5)),
    ))
    if dtype.kind == "b":
        elements = None
    elif draw(st.booleans()):  # anything the dtype holds, NaN and infinities included
        elements = None
    elif dtype.kind == "f" and draw(st.booleans()):
        elements = st.floats(0, 1, width=16 if dtype.itemsize == 2 else 32)
    else:
        elements = st.integers(0, 1 if dtype == np.int8 else 255)
    a = draw(hnp.arrays(dtype, shape, elements=elements))
    if a.ndim >= 2 and a.size and draw(st.booleans()):  # a non-blank picture: a block of full ink
        full = {"b": True, "f": 1.0}.get(dtype.kind, 65535 if dtype == np.uint16 else 127)
        a = a.copy()
        a[: draw(st.integers(1, a.shape[0])), : draw(st.integers(1, a.shape[1]))] = full
    return a


@FAST
@given(any_arrays())
def test_to_mnist_digit_gives_a_digit_or_a_value_error(image):
    digit_or_value_error(image)


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 5), st.integers(0, 5), st.integers(1, 12))
def test_any_ink_block_gives_a_digit(height, width, top, left, side):
    """A single block of ink anywhere on a plain background is never blank."""
    image = np.zeros((side + 6, side + 6), np.uint8)
    image[top:top + height, left:left + width] = 255
    assert_digit(to_mnist_digit(image))


def _pil_images(mode: str, rng: np.random.Generator, height: int, width: int) -> Image.Image:
    """A small random Pillow image in `mode`; a "P" image has one transparent palette entry."""
    if mode == "1":
        return Image.fromarray(rng.random((height, width)) < 0.5)
    if mode == "L":
        return Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8))
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16))
    if mode == "I":
        return Image.fromarray(rng.integers(-(2**31), 2**31, (height, width), dtype=np.int32))
    if mode == "F":
        values = rng.choice([0.0, 0.5, 1.0, 200.0, -3.0, np.nan, np.inf, 1e9], (height, width))
        return Image.fromarray(values.astype(np.float32))
    if mode == "RGB":
        return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    if mode == "RGBA":
        return Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8))
    if mode == "LA":
        return Image.fromarray(rng.integers(0, 256, (height, width, 2), dtype=np.uint8))
    if mode == "P":
        img = Image.frombytes("P", (width, height), rng.integers(0, 4, height * width, dtype=np.uint8).tobytes())
        img.putpalette([0, 0, 0, 255, 255, 255, 128, 128, 128, 10, 200, 30])
        img.info["transparency"] = int(rng.integers(0, 4))
        return img
    raise AssertionError(mode)


MODES = ["1", "L", "I;16", "I", "F", "RGB", "RGBA", "P", "LA"]
FORMATS = ["PNG", "GIF", "TIFF"]


def _encode(img: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt)
    return buffer.getvalue()


def _can_encode(mode: str, fmt: str) -> bool:
    try:
        _encode(_pil_images(mode, np.random.default_rng(0), 2, 2), fmt)
    except (OSError, ValueError, KeyError):
        return False
    return True


ENCODINGS = [(mode, fmt) for mode in MODES for fmt in FORMATS if _can_encode(mode, fmt)]


def test_every_mode_has_an_encoding():
    assert {mode for mode, _ in ENCODINGS} == set(MODES)


@st.composite
def image_files(draw) -> tuple[bytes, tuple[int, int] | None]:
    """Valid PNG / GIF / TIFF files of random small images, some truncated or with one byte changed.

    Returns the bytes and the image's (height, width) if the file is intact, else None.
    """
    mode, fmt = draw(st.sampled_from(ENCODINGS))
    height, width = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    img = _pil_images(mode, rng, height, width)
    if mode in ("L", "RGB") and draw(st.booleans()):
        img.info["transparency"] = 0 if mode == "L" else (0, 0, 0)
    data = _encode(img, fmt)
    damage = draw(st.sampled_from(["none", "truncate", "flip"]))
    if damage == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))], None
    if damage == "flip":
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:], None
    return data, (height, width)


LOSSLESS = [(mode, fmt) for mode, fmt in ENCODINGS if not (fmt == "GIF" and mode in ("I;16", "I", "F"))]


@st.composite
def ink_block_files(draw) -> bytes:
    """A file of a plain background with a block of clearly different ink inside it: any mode, light or dark
    ink, the background transparent or not. GIFs of 16-bit and float images are left out: Pillow's GIF
    writer clips them to 8 bits, which can erase the ink before our code sees it."""
    mode, fmt = draw(st.sampled_from(LOSSLESS))
    height, width = draw(st.integers(3, 12)), draw(st.integers(3, 12))
    top, left = draw(st.integers(1, height - 2)), draw(st.integers(1, width - 2))
    bottom, right = draw(st.integers(top + 1, height - 1)), draw(st.integers(left + 1, width - 1))
    full = {"1": 1, "I;16": 65535, "I": 65535, "F": draw(st.sampled_from([1.0, 255.0]))}.get(mode, 255)
    dark, light = draw(st.floats(0, 0.25)) * full, draw(st.floats(0.7, 1)) * full
    background, ink = (light, dark) if draw(st.booleans()) else (dark, light)
    if mode == "1":
        background, ink = background > 0.5, ink > 0.5
    elif mode != "F":
        background, ink = round(background), round(ink)
    dtype = {"1": bool, "I;16": np.uint16, "I": np.int32, "F": np.float32}.get(mode, np.uint8)
    grey = np.full((height, width), background, dtype)
    grey[top:bottom, left:right] = ink
    transparent_background = draw(st.booleans())
    if mode in ("RGB", "RGBA", "LA"):
        channels = [grey] * (1 if mode == "LA" else 3)
        if mode != "RGB":
            alpha = np.full((height, width), 0 if transparent_background else 255, np.uint8)
            alpha[top:bottom, left:right] = 255
            channels.append(alpha)
        img = Image.fromarray(np.stack(channels, axis=2))
    elif mode == "P":
        img = Image.frombytes("P", (width, height), (grey == ink).astype(np.uint8).tobytes())
        img.putpalette([background] * 3 + [ink] * 3)
        if transparent_background:
            img.info["transparency"] = 0
    else:
        img = Image.fromarray(grey)
        if transparent_background and mode in ("L", "I;16") and fmt == "PNG":
            img.info["transparency"] = int(background)
    assert img.mode == mode
    return _encode(img, fmt)


@FAST
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on damaged files
@given(ink_block_files())
def test_an_image_file_of_a_plain_block_of_ink_gives_a_digit(data):
    assert_digit(to_mnist_digit(load_image_bytes(data)))


def test_a_16_bit_png_with_a_transparent_background_gives_a_digit():
    """Pillow turns 16-bit grey with a transparent grey into opaque white RGBA: the file must be read as grey."""
    grey = np.full((8, 8), 1000, np.uint16)
    grey[2:6, 3:5] = 60000
    img = Image.fromarray(grey)
    img.info["transparency"] = 1000
    array = load_image_bytes(_encode(img, "PNG"))
    assert array.dtype == np.uint16 and array.shape == (8, 8)
    assert_digit(to_mnist_digit(array))


def _array_or_value_error(data: bytes):
    try:
        return load_image_bytes(data)
    except ValueError as e:
        assert str(e)
        return None


def _assert_documented_array(array: np.ndarray) -> None:
    """The forms load_image_bytes documents: RGBA / RGB / grey uint8, 16-bit grey uint16, float grey float32."""
    assert isinstance(array, np.ndarray)
    assert ((array.dtype == np.uint8 and (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))))
            or (array.dtype in (np.uint16, np.float32) and array.ndim == 2)), (array.dtype, array.shape)


@FAST
@pytest.mark.filterwarnings("ignore::UserWarning")
@given(image_files())
def test_load_image_bytes_then_to_mnist_digit(file):
    data, size = file
    array = _array_or_value_error(data)
    if array is None:
        assert size is None or not data, "an intact image file must be readable"
        return
    _assert_documented_array(array)
    if size is not None:
        assert array.shape[:2] == size
    digit_or_value_error(array)


@FAST
@pytest.mark.filterwarnings("ignore::UserWarning")
@given(st.binary(max_size=300) | st.sampled_from([b"\x89PNG\r\n\x1a\n", b"GIF89a", b"II*\x00", b"BM"]).flatmap(
    lambda head: st.binary(max_size=200).map(lambda tail: head + tail)))
def test_load_image_bytes_on_random_bytes(data):
    array = _array_or_value_error(data)
    if array is not None:
        _assert_documented_array(array)
        digit_or_value_error(array)


# --- noise ------------------------------------------------------------------------------------------------

@st.composite
def image_batches(draw, shapes=None):
    """One digit or a batch (0 to 3 digits), torch or numpy, of several dtypes; mostly in [-1, 1], some with
    values far outside it, NaN or infinities, and some of a wrong shape."""
    if shapes is None:
        shapes = st.one_of(
            st.just((28, 28)),
            st.tuples(st.integers(0, 3), st.just(28), st.just(28)),
            st.sampled_from([(), (28,), (27, 28), (28, 1), (1, 1, 28, 28), (2, 0, 28)]),
        )
    shape = draw(shapes)
    style = draw(st.sampled_from(["unit", "unit", "unit", "constant", "wide", "special"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if style == "unit":
        x = rng.uniform(-1, 1, shape)
    elif style == "constant":
        x = np.full(shape, draw(st.sampled_from([-1.0, 0.0, 1.0])))
    elif style == "wide":
        x = rng.uniform(-300, 300, shape)
    else:
        x = rng.choice(SPECIALS, shape)
    dtype = draw(st.sampled_from(["float32", "float32", "float64", "uint8", "bool"]))
    if dtype in ("uint8", "bool") and style != "special":
        x = np.clip(x, 0, 255)
    with np.errstate(invalid="ignore", over="ignore"):
        x = x.astype(dtype)
    x = np.asarray(x)
    return torch.from_numpy(x) if draw(st.booleans()) else x


def _float_pixels(images) -> np.ndarray:
    """The input as the float32 pixels the corruption sees."""
    return to_numpy(images).astype(np.float32)


def _is_finite_digit_batch(images) -> bool:
    x = to_numpy(images)
    return x.ndim in (2, 3) and x.shape[-2:] == (28, 28) and bool(np.isfinite(x.astype(np.float32)).all())


def _assert_same_kind_and_shape(images, corrupted, known) -> tuple[np.ndarray, np.ndarray]:
    kind = torch.Tensor if isinstance(images, torch.Tensor) else np.ndarray
    assert isinstance(corrupted, kind) and isinstance(known, kind)
    c, k = to_numpy(corrupted), to_numpy(known)
    assert c.shape == tuple(images.shape) and k.shape == tuple(images.shape)
    assert c.dtype == np.float32 and k.dtype == np.bool_
    return c, k


def _call(f, *args, **kwargs):
    """f's result, or None if it raised a ValueError (with a message)."""
    try:
        return f(*args, **kwargs)
    except ValueError as e:
        assert str(e)
        return None


def _randomness(draw):
    """Keyword arguments for the random corruptions: a seed, a generator, or neither."""
    how = draw(st.sampled_from(["seed", "generator", "none"]))
    if how == "seed":
        return {"seed": draw(SEEDS)}
    if how == "generator":
        return {"generator": torch.Generator().manual_seed(draw(st.integers(0, 2**32)))}
    return {}


def _rate_is_valid(p) -> bool:
    return 0.0 <= p <= 1.0


def _check_dropout(images, p, result) -> None:
    valid = _rate_is_valid(p) and _is_finite_digit_batch(images)
    assert (result is not None) == valid, (p, result is None)
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    x = _float_pixels(images)
    scale = 0.0 if p == 1 else 1 / (1 - p)
    with np.errstate(over="ignore"):  # far outside [-1, 1] and p near 1, x / (1 - p) can pass float32's limit
        kept = (x[k] * scale).astype(np.float32)
    np.testing.assert_allclose(c[k], kept, rtol=1e-6)  # kept pixels are scaled by 1/(1-p)
    assert np.all(c[~k] == 0)  # dropped pixels are mid-grey
    if np.all(np.abs(x) <= 1):
        assert np.all(np.abs(c) <= scale * (1 + 1e-6))  # in [-1/(1-p), 1/(1-p)]
    if p == 0:
        assert k.all()
    if p == 1:
        assert not k.any()


def _check_mask(images, p, result) -> None:
    assert (result is not None) == (_rate_is_valid(p) and _is_finite_digit_batch(images))
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    x = _float_pixels(images)
    assert np.array_equal(c, np.where(k, x, np.float32(noise.BACKGROUND)))


def _check_gaussian(images, sigma, result) -> None:
    valid = sigma >= 0 and np.isfinite(sigma) and _is_finite_digit_batch(images)
    assert (result is not None) == valid, (sigma, result is None)
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    x = _float_pixels(images).astype(np.float64)
    # Box-Muller from uniforms floored at 1e-12: |noise| <= sqrt(-2 ln 1e-12) = 7.43 sigma. A sigma near the
    # float32 limit (3.4e38) gives infinite pixels: the documented x + sigma * noise, rounded to float32.
    bound = 7.5 * sigma + 1e-5 * (1 + np.abs(x))
    assert not np.isnan(c).any()
    assert np.all(np.isinf(c) <= (bound + np.abs(x) > np.finfo(np.float32).max))
    assert np.all(np.isinf(c) | (np.abs(c - x) <= bound))
    assert not k.any() if sigma > 0 else k.all()


def _check_random_patch(images, size, result) -> None:
    assert (result is not None) == (0 <= size <= 28 and _is_finite_digit_batch(images)), (size, result is None)
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    x = _float_pixels(images)
    assert np.array_equal(c, np.where(k, x, np.float32(noise.GREY)))
    side = int(size)
    for hole in (~k).reshape(-1, 28, 28):  # a whole size x size square inside the digit
        rows, cols = np.nonzero(hole)
        assert hole.sum() == side * side
        if side:
            assert rows.max() - rows.min() + 1 == side and cols.max() - cols.min() + 1 == side


@FAST
@given(image_batches(), RATES, st.data())
def test_dropout(images, p, data):
    _check_dropout(images, p, _call(noise.dropout, images, p, **_randomness(data.draw)))


@FAST
@given(image_batches(), RATES, st.data())
def test_mask(images, p, data):
    _check_mask(images, p, _call(noise.mask, images, p, **_randomness(data.draw)))


@FAST
@given(image_batches(), st.floats(0, 3) | st.floats(allow_nan=True, allow_infinity=True), st.data())
def test_gaussian(images, sigma, data):
    _check_gaussian(images, sigma, _call(noise.gaussian, images, sigma, **_randomness(data.draw)))


POSITIONS = st.integers(-40, 40) | st.integers(-(2**80), 2**80)


@FAST
@given(image_batches(), POSITIONS, POSITIONS, st.integers(-3, 40) | st.integers(-(2**80), 2**80))
def test_patch(images, top, left, size):
    result = _call(noise.patch, images, top=top, left=left, size=size)
    assert (result is not None) == (size >= 0 and _is_finite_digit_batch(images)), (top, left, size)
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    rows, cols = np.arange(28)[:, None], np.arange(28)[None, :]
    hole = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)  # clipped to the image
    assert np.array_equal(k, np.broadcast_to(~hole, k.shape))
    assert np.array_equal(c, np.where(k, _float_pixels(images), np.float32(noise.GREY)))


@FAST
@given(image_batches(), st.integers(-3, 31) | st.floats(allow_nan=True, allow_infinity=True), st.data())
def test_random_patch(images, size, data):
    if isinstance(size, float) and np.isfinite(size):
        size = round(size)
    _check_random_patch(images, size, _call(noise.random_patch, images, size, **_randomness(data.draw)))


@st.composite
def masks_for(draw, images):
    """A known mask that fits `images` (one mask, or one per digit), or one that does not; any dtype."""
    shape = tuple(images.shape)
    batch = shape[0] if len(shape) == 3 else 1
    mask_shape = draw(st.sampled_from([(28, 28), (1, 28, 28), (batch, 28, 28), (batch + 1, 28, 28), (28, 27), ()]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m = rng.choice([0.0, 1.0, np.nan, -2.0], mask_shape) if draw(st.booleans()) else rng.random(mask_shape) < 0.5
    with np.errstate(invalid="ignore"):
        m = np.asarray(m).astype(draw(st.sampled_from(["bool", "float32", "uint8"])))
    return torch.from_numpy(m) if draw(st.booleans()) else m


@FAST
@given(image_batches(), st.data(), st.floats(-1, 1) | st.just(noise.GREY))
def test_given_mask(images, data, fill):
    known_mask = data.draw(masks_for(images))
    result = _call(noise.given_mask, images, known_mask, fill=fill)
    m = to_numpy(known_mask)
    fits = m.ndim in (2, 3) and m.shape[-2:] == (28, 28) and (m.ndim == 2 or m.shape[0] == 1 or (
        np.ndim(images) == 3 and m.shape[0] == images.shape[0]))
    assert (result is not None) == (fits and _is_finite_digit_batch(images)), (m.shape, tuple(images.shape))
    if result is None:
        return
    c, k = _assert_same_kind_and_shape(images, *result)
    one_per_digit = np.broadcast_to(m.astype(bool).reshape(-1, 28, 28), k.reshape(-1, 28, 28).shape)
    assert np.array_equal(k, one_per_digit.reshape(k.shape))
    assert np.array_equal(c, np.where(k, _float_pixels(images), np.float32(fill)))


@FAST
@given(image_batches(), st.sampled_from(["dropout", "mask", "gaussian", "patch", "blur", "", "Dropout"]),
       RATES | st.floats(-2, 2), st.data())
def test_corrupt_every_kind(images, kind, level, data):
    result = _call(noise.corrupt, images, kind, level, **_randomness(data.draw))
    if kind == "dropout":
        _check_dropout(images, level, result)
    elif kind == "mask":
        _check_mask(images, level, result)
    elif kind == "gaussian":
        _check_gaussian(images, level, result)
    elif kind == "patch":
        valid = 0 <= level <= 1 and _is_finite_digit_batch(images)
        assert (result is not None) == valid, (level, result is None)
        if result is not None:
            _check_random_patch(images, round(level * 28), result)
    else:
        assert result is None


def test_empty_batch_keeps_its_shape_with_a_seed():
    empty = torch.zeros(0, 28, 28)
    for f in (noise.dropout, noise.mask, noise.gaussian):
        corrupted, known = f(empty, 0.5, seed=3)
        assert corrupted.shape == known.shape == (0, 28, 28)
    assert noise.random_patch(empty, 5, seed=3)[0].shape == (0, 28, 28)


# --- metrics ----------------------------------------------------------------------------------------------

PAIR_SHAPES = st.one_of(st.just((28, 28)), st.tuples(st.integers(1, 3), st.just(28), st.just(28)))


@st.composite
def metric_inputs(draw):
    """(clean, output, region): usually matching shapes, sometimes not; regions all False, all True or random."""
    shape = draw(PAIR_SHAPES)
    clean = draw(image_batches(st.just(shape)))
    other = draw(st.sampled_from([shape, shape, shape, (28, 28), (2, 28, 28), (27, 28), (0, 28, 28)]))
    output = draw(image_batches(st.just(other)))
    region_kind = draw(st.sampled_from(["random", "none", "all", "partly empty", "wrong shape"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if region_kind == "random":
        region = rng.random(shape) < draw(st.floats(0, 1))
    elif region_kind == "none":
        region = np.zeros(shape, bool)
    elif region_kind == "all":
        region = np.ones(shape, bool)
    elif region_kind == "partly empty":
        region = rng.random(shape) < 0.3
        region.reshape(-1, 28, 28)[0] = False
    else:
        region = np.ones((28, 27), bool)
    if draw(st.booleans()):
        region = torch.from_numpy(region)
    return clean, output, region


def _inputs_are_valid(clean, output, region) -> bool:
    """Same shapes and no NaN pixel: what metrics accepts (infinities are clipped like any value out of range)."""
    arrays = [clean, output] + ([] if region is None else [region])
    same_shape = len({tuple(np.shape(a)) for a in arrays}) == 1
    return same_shape and not any(np.isnan(to_numpy(a).astype(np.float64)).any() for a in (clean, output))


def _empty_images(region) -> np.ndarray:
    """(B,) True for the images whose region has no pixel."""
    return ~to_numpy(region).reshape(-1, 28, 28).any(axis=(1, 2))


BOUNDS = {"mse": (0, 1), "psnr": (0, 100), "ssim": (-1 - 1e-9, 1 + 1e-9)}


@FAST
@given(metric_inputs(), st.sampled_from(["mse", "psnr", "ssim"]), st.booleans())
def test_per_image_metrics(inputs, name, with_region):
    clean, output, region = inputs
    region = region if with_region else None
    figures = _call(getattr(metrics, name), clean, output, region)
    assert (figures is not None) == _inputs_are_valid(clean, output, region)
    if figures is None:
        return
    batch = clean.shape[0] if np.ndim(clean) == 3 else 1
    assert isinstance(figures, np.ndarray) and figures.dtype == np.float64 and figures.shape == (batch,)
    empty = np.zeros(batch, bool) if region is None else _empty_images(region)
    assert np.isnan(figures[empty]).all()  # documented: NaN for an empty region
    low, high = BOUNDS[name]
    assert np.isfinite(figures[~empty]).all() and np.all((low <= figures[~empty]) & (figures[~empty] <= high))


@FAST
@given(metric_inputs())
def test_evaluate(inputs):
    clean, output, known = inputs
    figures = _call(metrics.evaluate, clean, output, known)
    assert (figures is not None) == _inputs_are_valid(clean, output, known)
    if figures is None:
        return
    assert set(figures) == set(metrics.METRIC_INFO)
    assert all(isinstance(v, float) for v in figures.values())
    for name in ("mse", "psnr", "ssim"):
        assert np.isfinite(figures[name])
    nothing_repaired = _empty_images(~to_numpy(known).astype(bool))
    for name in ("mse_repaired", "psnr_repaired", "ssim_repaired"):  # documented: NaN if nothing was repaired
        assert np.isnan(figures[name]) == nothing_repaired.all()
    for name, (low, high) in BOUNDS.items():
        for key in (name, f"{name}_repaired"):
            assert np.isnan(figures[key]) or low <= figures[key] <= high


def test_evaluate_on_no_digits_raises():
    empty = torch.zeros(0, 28, 28)
    with pytest.raises(ValueError, match="no digits"):
        metrics.evaluate(empty, empty, empty.bool())
