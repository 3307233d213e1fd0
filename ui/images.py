"""Digits on screen: one fixed grey scale for every image, so pixel values compare across columns.

A digit in [-1, 1] is clipped and mapped to 0..255 (-1 black, +1 white), then enlarged with
nearest-neighbour so each of its 28x28 pixels stays a crisp square (the lecture's per-image autoscale
would hide differences between methods).
"""

import io

import numpy as np
import streamlit as st
from PIL import Image


def to_uint8(image, scale: int = 1) -> np.ndarray:
    """(28, 28) in [-1, 1] -> (28*scale, 28*scale) uint8 on the fixed grey scale."""
    pixels = np.asarray(image, dtype=np.float32)
    grey = np.round((np.clip(pixels, -1, 1) + 1) * 127.5).astype(np.uint8)  # (28, 28)
    return np.kron(grey, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else grey


def image_row(images: dict[str, np.ndarray], scale: int = 4, per_row: int | None = None) -> None:
    """Show digits side by side, each with its caption, all on the same grey scale."""
    items = list(images.items())
    per_row = per_row or len(items)
    for start in range(0, len(items), per_row):
        columns = st.columns(per_row)
        for column, (caption, image) in zip(columns, items[start:start + per_row], strict=False):
            column.image(to_uint8(image, scale), caption=caption, width="stretch", output_format="PNG")  # lossless


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W) or (H, W, 3) uint8 array as PNG file bytes (for downloads)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
