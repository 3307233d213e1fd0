"""What the sessions of bench/ws_load.py do, one entry per page: where they go, with which digit, and which
widget they move between updates (each a fragment rerun, as in the browser). Add a page by adding an entry.
"""

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.ws_session import Session, array_state, scalar_state


def slider_to(key: str, values: list[float]) -> Callable:
    """An action: move slider `key` to another of `values`."""
    def act(session: Session, rng: random.Random):
        current = session.value(key).double_array_value.data[0]
        return key, array_state("double_array_value", [rng.choice([v for v in values if abs(v - current) > 1e-9])])
    return act


def slider_step(key: str, values: list[float]) -> Callable:
    """An action: scrub slider `key` one step along `values`, up or down (at an end: inwards)."""
    def act(session: Session, rng: random.Random):
        current = session.value(key).double_array_value.data[0]
        i = min(range(len(values)), key=lambda j: abs(values[j] - current))
        step = 1 if i == 0 else -1 if i == len(values) - 1 else rng.choice((-1, 1))
        return key, array_state("double_array_value", [values[i + step]])
    return act


def press(key: str) -> Callable:
    """An action: press button `key` (a trigger value, sent once)."""
    return lambda session, rng: (key, scalar_state("trigger_value", True))


def _plotly_array(values) -> np.ndarray:
    """A plotly JSON array: a list, or plotly's typed array {"dtype": "f4", "bdata": base64}."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def click_point(key: str, trace: int = 0) -> Callable:
    """An action: click a random point of trace `trace` of plotly chart `key` (with on_select="rerun"); the
    widget value is the selection event's JSON, as streamlit's frontend sends it."""
    def act(session: Session, rng: random.Random):
        data = json.loads(session.widget(key).proto.spec)["data"][trace]
        xs, ys = _plotly_array(data["x"]), _plotly_array(data["y"])
        k = rng.randrange(len(xs))
        point = {"curve_number": trace, "point_number": k, "point_index": k, "x": float(xs[k]), "y": float(ys[k])}
        event = {"selection": {"points": [point], "point_indices": [k], "box": [], "lasso": []}}
        return key, scalar_state("string_value", json.dumps(event))
    return act


@dataclass
class Page:
    """A page under load: its url path, each session's own query string and one-off widget values (its own
    digit), and what users do there: action name -> (weight, action). An action maps (session, rng) to
    (widget key, new WidgetState)."""
    path: str
    query: Callable[[int], str]
    setup: Callable[[int], dict]
    actions: dict[str, tuple[float, Callable]]


STEPS = [round(0.05 * i, 2) for i in range(21)]  # 0, 0.05, ..., 1
PAGES = {
    "repair": Page("repair", lambda i: f"class={i % 10}&index={i // 10}&damage=dropout&p=0.5&seed={i}",
                   lambda i: {},
                   {"p": (0.75, slider_to("repair_p", [v for v in STEPS if 0.3 <= v <= 0.7])),
                    "new noise": (0.25, press("repair_new_noise"))}),
    "interpolate": Page("interpolate", lambda i: "", lambda i: {"interp_a_index": scalar_state("int_value", i % 800)},
                        {"alpha": (1.0, slider_step("interp_alpha", STEPS))}),
    "latent": Page("latent", lambda i: "", lambda i: {"latent_index": scalar_state("int_value", i % 800)},
                   {"click": (1.0, click_point("latent_map"))}),
}
