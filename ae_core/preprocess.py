"""Any drawing or uploaded image -> an MNIST-style 28x28 digit in [-1, 1], the scale the models know.

The steps are the MNIST paper's: light ink on a dark background, the ink cropped and scaled so its longer
side is 20 px (aspect ratio kept, anti-aliased), then placed in a 28x28 field with its centre of mass at
pixel (14, 14) — where the real MNIST test digits have theirs (mean 13.99, 14.01). Without this, a digit
drawn small, off-centre or dark-on-white looks nothing like what the autoencoders have seen.

`load_image_bytes` decodes an uploaded file with Pillow; both functions raise ValueError with a sentence a
user can act on for anything they cannot handle (blank canvas, unreadable or huge file).
"""

import io
import warnings

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ae_core.errors import InputError

FIELD = 28  # side of the output image, px
BOX = 20  # longer side of the digit's ink inside the field, px
CENTRE = 14.0  # row and column of the centre of mass in the field
INK_THRESHOLD = 0.1  # ink below this (on [0, 1], above the background) counts as background
SIXTEEN_BIT_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def _luminance(image: np.ndarray) -> np.ndarray:
    """(H, W) float32 grey level in [0, 1] of a grey, RGB or RGBA image of any supported dtype."""
    try:
        image = np.asarray(image)
    except Exception as e:  # ragged lists, tensors that need .detach(), ...
        raise InputError("The image cannot be read as an array of pixels: {error}", error=e) from e
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise InputError("Expected a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image, "
                         "got shape {shape}.", shape=image.shape)
    if image.size == 0:
        raise InputError("The image has no pixels (shape {shape}): draw or upload a digit.", shape=image.shape)
    if image.dtype.kind not in "buif":
        raise InputError("Pixel values must be numbers, not {dtype}.", dtype=image.dtype)
    if image.dtype == np.uint8:
        full = 255
    elif image.dtype == np.uint16:
        full = 65535
    else:
        if image.dtype.kind == "f" and not np.isfinite(image).all():
            raise InputError("The image contains NaN or infinite pixel values.")
        low, high = float(image.min()), float(image.max())
        if low < 0 or high > 255:
            raise InputError("Pixel values must lie in [0, 1] or [0, 255]; these span [{low:g}, {high:g}].",
                             low=low, high=high)
        full = 1 if high <= 1 else 255
    if image.ndim == 2:
        grey = image.astype(np.float32)  # (H, W)
    elif image.shape[2] == 4 and image[:, :, 3].min() < full:
        grey = image[:, :, 3].astype(np.float32)  # a transparent canvas: alpha is the ink, any colour
    else:  # ITU-R 601 luma, as Pillow's "L" and OpenCV's RGB2GRAY; one channel at a time to spare memory
        weights = (0.299, 0.587, 0.114)
        grey = sum(np.float32(wt) * image[:, :, c].astype(np.float32) for c, wt in enumerate(weights))
    return grey / np.float32(full)  # (H, W) in [0, 1]


def to_mnist_digit(image: np.ndarray) -> np.ndarray:
    """An MNIST-style digit from any drawing or image: float32 (28, 28), background -1, full ink +1.

    `image` is grey (H, W) or (H, W, 1), RGB (H, W, 3) or RGBA (H, W, 4); uint8, uint16, bool or float
    ([0, 1] if its maximum is at most 1, else [0, 255]). An RGBA image with any transparent pixel is read
    by its alpha channel. Dark ink on a light background is inverted (decided from the border pixels).
    Raises ValueError if the image is blank or cannot be read as a picture.
    """
    grey = _luminance(image)  # (H, W) in [0, 1]
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 0.5:
        grey, border = 1 - grey, 1 - border
    ink = np.clip(grey - np.median(border), 0, 1)  # (H, W), 0 on the background
    ink[ink < INK_THRESHOLD] = 0  # paper grain, JPEG noise
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))  # the ink's bounding box
    if rows.size == 0:
        raise InputError("The image is blank: one flat shade with no digit on it (nothing drawn, or all of it "
                         "painted over). Draw or upload a digit: light or dark ink on a plain background.")
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].astype(np.float32)  # (h, w)

    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # (width, height): OpenCV's order
    digit = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    digit = np.clip(digit, 0, None)  # (h', w'), longer side 20
    h, w = digit.shape

    # Place the digit so its centre of mass lands on (14, 14), kept whole inside the field.
    mass = digit.sum()
    com_row = (digit.sum(axis=1) @ np.arange(h)) / mass
    com_col = (digit.sum(axis=0) @ np.arange(w)) / mass
    top = int(np.clip(round(CENTRE - com_row), 0, FIELD - h))
    left = int(np.clip(round(CENTRE - com_col), 0, FIELD - w))
    field = np.zeros((FIELD, FIELD), np.float32)  # (28, 28)
    field[top:top + h, left:left + w] = digit
    field /= field.max()  # the brightest pixel is full ink, as in MNIST
    return field * 2 - 1  # (28, 28) in [-1, 1]


def load_image_bytes(data: bytes, max_pixels: int = 4096 * 4096) -> np.ndarray:
    """Decode an uploaded image file into an array `to_mnist_digit` accepts.

    PNG, JPEG, GIF (first frame), BMP, TIFF, WebP: uint16 (H, W) for 16-bit grey (its transparency, one
    grey made transparent, is the plain background anyway), float32 (H, W) for floating-point grey; else
    RGBA uint8 (H, W, 4) if the file has transparency, grey uint8 (H, W) or RGB uint8 (H, W, 3). The size
    is checked against `max_pixels` from the header, before any pixel is decoded. Raises ValueError for an
    empty, unreadable, truncated or too large file.
    """
    if not data:
        raise InputError("This file is not an image we can read: it is empty.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))  # reads the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise InputError("The image is too large: {error}", error=e) from e
        except UnidentifiedImageError as e:  # its message is "cannot identify image file <_io.BytesIO ...>"
            raise InputError("This file is not an image we can read: its content is in no image format we "
                             "know (PNG, JPEG, GIF, BMP, TIFF, WebP, ...).") from e
        except Exception as e:
            raise InputError("This file is not an image we can read: {error}", error=e) from e
    with img:
        width, height = img.size
        if width * height > max_pixels:
            raise InputError("The image is too large: {width}x{height} = {pixels:,} pixels, "
                             "the limit is {limit:,}. Shrink it and upload it again.", width=width, height=height,
                             pixels=width * height, limit=max_pixels)
        try:
            if img.mode in SIXTEEN_BIT_MODES:
                return np.clip(np.asarray(img), 0, 65535).astype(np.uint16)  # (H, W)
            if img.mode == "F":
                return np.asarray(img, dtype=np.float32)  # (H, W)
            if img.has_transparency_data:
                return np.asarray(img.convert("RGBA"))  # (H, W, 4) uint8
            return np.asarray(img.convert("L" if img.mode in ("1", "L") else "RGB"))  # (H, W) or (H, W, 3)
        except Exception as e:
            raise InputError("This file is not an image we can read: {error}", error=e) from e
