"""The digit source every page shares: draw it, pick it from MNIST, or upload an image.

`digit_source(key)` shows the three sources and returns the current digit, (28, 28) float32 in [-1, 1],
or None (with a sentence saying what to do) when there is none yet. The digit is kept in the page's own
session key `<key>_digit`, so it survives page switches (Streamlit drops keyed widget values when the
user leaves a page; see the guide). Its label, saying where it came from, is kept language-free (a
drawing, a test digit's class and index, an upload's file name) and said in the session's language by
`digit_label`.
"""

import numpy as np
import streamlit as st

from ae_core.data import class_counts, digit
from ae_core.preprocess import load_image_bytes, to_mnist_digit
from ui.i18n import N_, _, translated
from ui.images import show_digit
from ui.loaders import data_notice, test_digits

SOURCES = ("Draw", "MNIST", "Upload")  # the source control's values (remembered in the session): shown translated
SOURCE_LABELS = {"Draw": N_("Draw"), "MNIST": "MNIST", "Upload": N_("Upload")}
CANVAS_PX = 280  # 10 canvas pixels per MNIST pixel
SIDE_PX = 180  # beside the canvas: the 28x28 digit the models see, or a note
STROKE_PX = 22  # ~2 MNIST pixels once the drawing is fitted into 20x20, like a pen stroke in MNIST
MAX_UPLOAD_PIXELS = 4096 * 4096
CONTROL_PX = 128  # the class and index pickers: room for "Index (0 to 1134)", and with "Random" in half a page


def _remember(key: str, name: str, default):
    """A widget default that survives page switches: the last value, copied into our own key."""
    return st.session_state.setdefault(f"{key}_saved_{name}", default)


def _save(key: str, name: str):
    st.session_state[f"{key}_saved_{name}"] = st.session_state[f"{key}_{name}"]


def _set_digit(key: str, image: np.ndarray, label: dict) -> None:
    """The page's digit and its language-free label (`digit_label` says it): {"drawing": True}, {"class": 7,
    "index": 0} (a test digit) or {"upload": file name}; kept in the browser's space (ui.space) as JSON."""
    st.session_state[f"{key}_digit"] = np.asarray(image, dtype=np.float32)
    st.session_state[f"{key}_digit_label"] = label


def _from_canvas(key: str) -> None:
    from streamlit_drawable_canvas import st_canvas  # needs a running Streamlit script (see the guide)

    # The canvas, and beside it (below it where there is no room) what the models see or what to do.
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        result = st_canvas(stroke_width=STROKE_PX, stroke_color="#ffffff", background_color="#000000",
                           height=CANVAS_PX, width=CANVAS_PX, drawing_mode="freedraw",
                           return_image_data=True, key=f"{key}_canvas")
    right = row.container(width=SIDE_PX)
    st.caption(_("Draw one digit, large, in the middle. The toolbar undoes, redoes and clears."))
    image = result.image_data
    if image is None:  # nothing drawn since the page opened
        with right:
            label = digit_label(key)
            st.info(_("Draw a digit in the box. Until you do, the page uses {label}.", label=label) if label
                    else _("Draw a digit in the box."))
        return
    try:
        _set_digit(key, to_mnist_digit(image), {"drawing": True})
    except ValueError as err:
        with right:
            st.info(translated(err))
        return
    show_digit(st.session_state[f"{key}_digit"], _("what the models see (28x28)"), where=right)


def _random_index(key: str, count: int) -> None:
    """The "Random" button: a random index in the current class (set before the widgets are drawn)."""
    index = int(np.random.default_rng().integers(count))
    st.session_state[f"{key}_index"] = st.session_state[f"{key}_saved_index"] = index


def _from_mnist(key: str, default_class: int) -> None:
    digits = test_digits()
    data_notice(digits)
    counts = class_counts(digits)
    # One row that wraps where it has to (a phone, half a page), so no label is ever cut to "Ran…".
    row = st.container(horizontal=True, vertical_alignment="bottom")
    label = row.selectbox(_("Class"), range(10), index=_remember(key, "class", default_class), key=f"{key}_class",
                          on_change=_save, args=(key, "class"), width=CONTROL_PX)
    # The index widget's value lives in session state (so "Random" can set it), clamped to the class.
    index_key = f"{key}_index"
    index = min(st.session_state.get(index_key, _remember(key, "index", 0)), counts[label] - 1)
    st.session_state[index_key] = st.session_state[f"{key}_saved_index"] = index  # a link's index past the end too
    index = row.number_input(_("Index (0 to {last})", last=counts[label] - 1), 0, counts[label] - 1, key=index_key,
                             on_change=_save, args=(key, "index"), width=CONTROL_PX)
    row.button(_("Random"), key=f"{key}_random", icon=":material/casino:", on_click=_random_index,
               args=(key, counts[label]))
    _set_digit(key, digit(digits, label, index).numpy(), {"class": label, "index": index})


def _from_upload(key: str) -> None:
    upload = st.file_uploader(_("An image of one digit (PNG, JPEG, ...)"), type=None, key=f"{key}_upload")
    if upload is None:
        return
    try:
        _set_digit(key, to_mnist_digit(load_image_bytes(upload.getvalue(), MAX_UPLOAD_PIXELS)),
                   {"upload": upload.name})
    except ValueError as err:
        st.error(f"{upload.name}: {translated(err)}")


def digit_source(key: str, default_class: int = 7) -> np.ndarray | None:
    """Let the user draw, pick or upload a digit; returns it, (28, 28) in [-1, 1], or None.
    MNIST starts at the first test digit of `default_class`."""
    source = st.segmented_control(_("Digit source"), SOURCES, default=_remember(key, "source", "MNIST"),
                                  format_func=lambda s: _(SOURCE_LABELS[s]), key=f"{key}_source", on_change=_save,
                                  args=(key, "source"))
    if source == "Draw":
        _from_canvas(key)
    elif source == "Upload":
        _from_upload(key)
    else:
        _from_mnist(key, default_class)
    current = st.session_state.get(f"{key}_digit")
    if current is None:
        st.info(_("No digit yet: draw one, upload an image, or pick one from MNIST."))
    return current


def digit_label(key: str) -> str:
    """Where the current digit came from, for captions, in the session's language: "your drawing", "test digit
    7 #0", an upload's file name; "" when there is no digit."""
    label = st.session_state.get(f"{key}_digit_label", "")
    if not isinstance(label, dict):  # none yet, or a text saved before labels were language-free: shown as it is
        return str(label)
    if "upload" in label:
        return str(label["upload"])
    if "class" in label:
        return _("test digit {label} #{index}", label=label["class"], index=label["index"])
    return _("your drawing")
