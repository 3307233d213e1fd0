"""Security: production server settings, weights never unpickled, user-supplied names never reach a path raw."""

import re
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ae_core import checkpoint
from ui import training
from ui.digits import MAX_UPLOAD_PIXELS

REPO = Path(__file__).resolve().parent.parent


def test_the_server_runs_with_production_settings():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 5  # MB
    assert config["browser"]["gatherUsageStats"] is False
    assert MAX_UPLOAD_PIXELS <= 4096 * 4096


def test_no_code_path_unpickles_anything():
    """Weights come only through safetensors: no torch.load, pickle or joblib loading in the app's code."""
    files = [REPO / "app.py"] + [p for d in ("ae_core", "ui", "app_pages", "bench") for p in (REPO / d).rglob("*.py")]
    assert len(files) > 20
    pattern = re.compile(r"torch\.load\(|pickle\.loads?\(|joblib\.load\(|weights_only\s*=\s*False|allow_pickle")
    offenders = [f"{f.relative_to(REPO)}:{n}" for f in files
                 for n, line in enumerate(f.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sets(st.text(max_size=10), max_size=5))
def test_any_typed_name_becomes_a_safe_file_name(text, taken):
    name = training.safe_name(text, taken)
    assert checkpoint.NAME_PATTERN.fullmatch(name) and name not in taken
    assert "/" not in name and "\\" not in name and ".." not in name and len(name) <= training.NAME_CHARS + 4
