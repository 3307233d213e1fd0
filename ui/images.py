"""Digits on screen: one fixed grey scale for every image, so pixel values compare across columns.

A digit in [-1, 1] is clipped and mapped to 0..255 (-1 black, +1 white), then enlarged with
nearest-neighbour so each of its 28x28 pixels stays a crisp square (the lecture's per-image autoscale
would hide differences between methods).

Images go to the browser inline, as PNG data URLs inside the page's own message: Streamlit then stores no
media file per image and the browser fetches none, which halves what a server does per update of a page
full of digits (bench/ws_load.py). A digit at 4x is about 500 bytes of PNG.
"""

import base64
import io

import numpy as np
import streamlit as st
from PIL import Image


def to_uint8(image, scale: int = 1) -> np.ndarray:
    """(28, 28) in [-1, 1] -> (28*scale, 28*scale) uint8 on the fixed grey scale."""
    pixels = np.asarray(image, dtype=np.float32)
    grey = np.round((np.clip(pixels, -1, 1) + 1) * 127.5).astype(np.uint8)  # (28, 28)
    return np.kron(grey, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else grey


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W) or (H, W, 3) uint8 array as PNG file bytes. zlib's fastest level: twice as quick as the
    default for a digit, and about 100 bytes bigger."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def digit_url(image, scale: int = 4) -> str:
    """A digit (28, 28) in [-1, 1] as a PNG data URL on the fixed grey scale, for st.image."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(to_uint8(image, scale))).decode("ascii")


def show_digit(image, caption: str, scale: int = 4, where=st) -> None:
    """One digit with its caption, `28 * scale` pixels wide, in `where` (a column, or the page)."""
    where.image(digit_url(image, scale), caption=caption, width=28 * scale)


def image_row(images: dict[str, np.ndarray], scale: int = 4, per_row: int | None = None) -> None:
    """Digits side by side, each with its caption, all on the same grey scale: one st.image call per row
    of `per_row` (default: all in one row), each digit `28 * scale` pixels wide, so a narrow screen
    wraps a row instead of stretching every digit to its width."""
    items = list(images.items())
    per_row = per_row or len(items)
    for start in range(0, len(items), per_row):
        row = items[start:start + per_row]
        st.image([digit_url(image, scale) for _, image in row], caption=[caption for caption, _ in row],
                 width=28 * scale)
