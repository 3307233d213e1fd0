"""Digits on screen: one fixed grey scale for every image, so pixel values compare across columns.

A digit in [-1, 1] is clipped and mapped to 0..255 (-1 black, +1 white): the lecture's per-image autoscale
would hide differences between methods.

On a page, digits go to the browser at 28x28, inline, as PNG data URLs inside the page's own message:
Streamlit then stores no media file per image and the browser fetches none, and a digit is under 300 bytes.
The browser enlarges them to the width asked for, each pixel a crisp square (ui/style.css, which app.py
loads: `image-rendering: pixelated`). Downloads are enlarged here, with nearest-neighbour (`to_uint8`).
"""

import base64

import cv2
import numpy as np
import streamlit as st


def to_uint8(image, scale: int = 1) -> np.ndarray:
    """(28, 28) in [-1, 1] -> (28*scale, 28*scale) uint8 on the fixed grey scale."""
    pixels = np.asarray(image, dtype=np.float32)
    grey = np.round((np.clip(pixels, -1, 1) + 1) * 127.5).astype(np.uint8)  # (28, 28)
    return np.kron(grey, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else grey


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W) grey or (H, W, 3) RGB uint8 array as PNG file bytes. OpenCV's encoder: for a 28x28 digit
    quicker than Pillow's, whose per-call overhead dominates at that size."""
    bgr = image[:, :, ::-1] if image.ndim == 3 else image  # OpenCV writes BGR
    ok, encoded = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError(f"could not encode a {image.shape} image as PNG")
    return encoded.tobytes()


def digit_url(image) -> str:
    """A digit (28, 28) in [-1, 1] as a 28x28 PNG data URL on the fixed grey scale, for st.image."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(to_uint8(image))).decode("ascii")


def show_digit(image, caption: str, width: int = 112, where=st) -> None:
    """One digit with its caption, `width` pixels wide, in `where` (a column, or the page)."""
    where.image(digit_url(image), caption=caption, width=width)


def image_row(images: dict[str, np.ndarray], width: int = 112, per_row: int | None = None) -> None:
    """Digits side by side, each with its caption, all on the same grey scale: one st.image call per row
    of `per_row` (default: all in one row), each digit `width` pixels wide, so a narrow screen wraps a
    row instead of stretching every digit to its width."""
    items = list(images.items())
    per_row = per_row or len(items)
    for start in range(0, len(items), per_row):
        row = items[start:start + per_row]
        st.image([digit_url(image) for _caption, image in row], caption=[caption for caption, _image in row],
                 width=width)


def breakable(caption: str) -> str:
    """A caption that a narrow digit may wrap after an underscore too ("repair_" / "resunet"), rather than in the
    middle of a word or past its edge: a zero-width space after each one, invisible. For captions on screen only
    (a PNG's font would draw it as a box)."""
    return caption.replace("_", "_\u200b")
