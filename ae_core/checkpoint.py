"""Checkpoints: a model card `<name>.json` and the weights file it names, `<name>-<sha256[:12]>.safetensors`.

safetensors holds tensors only, so loading a checkpoint can never run code (unlike pickle). The card
says everything needed to rebuild and judge the model: its config, the training config, the data,
epochs, seconds, test figures, library versions and the sha256 of the weights file.

Both files are written atomically (a temp file in the same folder, then os.replace): the weights
first, under a name of their own, then the card that points at them, and only then is the previous
weights file removed. A save killed at any moment therefore leaves a card that describes complete weights
(the old pair or the new one). The committed checkpoints predate this naming: their cards name
`<name>.safetensors`, which load() reads the same way. Anything wrong on load
(missing, truncated, corrupt, not matching its card) raises CheckpointError, a ValueError whose
message says what is wrong and what to do.
"""

import hashlib
import io
import json
import os
import platform
import re
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as serialize
from torch import nn

from ae_core.config import ModelConfig, asdict, from_dict
from ae_core.errors import InputError
from ae_core.models import build_model

CHECKPOINT_ENV = "AE_CHECKPOINT_DIR"
CARD_FORMAT = 1
MAX_PACKED_BYTES = 50 * 1024 * 1024  # an unpacked checkpoint larger than this is refused (the largest: 3 MB)
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# what every card must hold, and of which type: the pages read these (the figures in "metrics" are optional:
# a run stopped early has none)
CARD_SECTIONS = {"model": dict, "sha256": str, "training": dict, "data": dict, "epochs": int}


class CheckpointError(InputError):
    """A checkpoint that cannot be used; the message is meant for the user."""


def default_dir() -> Path:
    """The checkpoint folder: AE_CHECKPOINT_DIR if set, else the repository's checkpoints/."""
    return Path(os.environ.get(CHECKPOINT_ENV) or Path(__file__).resolve().parent.parent / "checkpoints")


def check_name(name: str) -> str:
    """A checkpoint name is 1-64 letters, digits, '_' or '-', so it can never leave its folder."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise CheckpointError("{name!r} is not a valid checkpoint name: use 1-64 letters, digits, _ or -.", name=name)
    return name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomically(path: Path, write) -> None:
    """Call write(temp_path) for a temp file beside `path`, then move it over `path` in one step."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; checkpoints are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _weights_name(name: str, card: dict) -> str:
    """The weights file a card names: `<name>.safetensors` or `<name>-<12 hex>.safetensors`, nothing
    else (a card is data, and must not point a load outside its checkpoint)."""
    weights = card.get("weights", f"{name}.safetensors")
    if not isinstance(weights, str) or not re.fullmatch(re.escape(name) + r"(-[0-9a-f]{12})?\.safetensors", weights):
        raise CheckpointError("The card {name}.json names the weights file {weights!r}, which is not one of "
                              "{name!r}'s; retrain or restore it.", name=name, weights=weights)
    return weights


def save(model: nn.Module, name: str, card: dict, folder: str | Path | None = None) -> Path:
    """Write `<folder>/<name>-<sha>.safetensors`, then `<name>.json`: `card` plus the model config,
    the weights' file name and sha256, versions and a timestamp; then delete the weights the previous
    card named. Returns the card's path."""
    folder = Path(folder) if folder is not None else default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{check_name(name)}.json"
    try:
        previous = _weights_name(name, read_card(name, folder))
    except CheckpointError:
        previous = None  # no card yet, or a broken one: nothing of it is worth keeping
    data = serialize({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()})
    sha256 = hashlib.sha256(data).hexdigest()
    weights = folder / f"{name}-{sha256[:12]}.safetensors"
    write_atomically(weights, lambda tmp: tmp.write_bytes(data))
    full_card = {
        "name": name,
        "format": CARD_FORMAT,
        "weights": weights.name,
        "sha256": sha256,
        "model": asdict(model.cfg),
        **card,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "numpy": np.__version__},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomically(path, lambda tmp: tmp.write_text(json.dumps(full_card, indent=2) + "\n"))
    if previous is not None and previous != weights.name:
        (folder / previous).unlink(missing_ok=True)
    return path


def weights_path(name: str, folder: str | Path | None = None) -> Path:
    """The weights file of checkpoint `name`, as its card names it."""
    folder = Path(folder) if folder is not None else default_dir()
    return folder / _weights_name(name, read_card(name, folder))


def companion_path(name: str, suffix: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name><suffix>`: a file computed from checkpoint `name` and kept beside it, such as its
    latent map (`.latent.json`) or anomaly summary (`.anomaly.json`). list_checkpoints() skips these."""
    folder = Path(folder) if folder is not None else default_dir()
    return folder / f"{check_name(name)}{suffix}"


def save_companion(data: dict, name: str, suffix: str, folder: str | Path | None = None,
                   compact: bool = False) -> Path:
    """Write `data` as JSON to companion_path(name, suffix, folder), atomically; returns the path."""
    path = companion_path(name, suffix, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, separators=(",", ":")) if compact else json.dumps(data, indent=1)
    write_atomically(path, lambda tmp: tmp.write_text(text + "\n"))
    return path


def load_companion(name: str, suffix: str, what: str, command: str, required: tuple[str, ...],
                   folder: str | Path | None = None) -> dict:
    """A companion file of checkpoint `name`, checked to hold the `required` keys. Raises ValueError
    with what to do (`command` recomputes it) when it is missing, unreadable or not `what` it should be."""
    path = companion_path(name, suffix, folder)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("{file} is missing; compute it with `{command}`.", file=path.name, command=command) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError("{file} is not readable JSON ({error}); recompute it with `{command}`.", file=path.name,
                         error=err, command=command) from err
    if not isinstance(data, dict) or any(k not in data for k in required):
        raise InputError("{file} is not {what}; recompute it with `{command}`.", file=path.name, what=what,
                         command=command)
    return data


def list_checkpoints(folder: str | Path | None = None) -> list[str]:
    """Names of the checkpoints in `folder` (those with a card), sorted; [] if the folder is missing."""
    folder = Path(folder) if folder is not None else default_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if NAME_PATTERN.fullmatch(p.stem))


def read_card(name: str, folder: str | Path | None = None) -> dict:
    """The model card of checkpoint `name`, checked to be a readable card."""
    folder = Path(folder) if folder is not None else default_dir()
    path = folder / f"{check_name(name)}.json"
    try:
        card = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError("There is no checkpoint {name!r} in {folder}.", name=name, folder=folder) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError("The card {file} is not readable JSON ({error}); retrain or restore it.",
                              file=path.name, error=err) from err
    if not isinstance(card, dict):
        raise CheckpointError("The card {file} is not an AE Lab model card (not a JSON object); "
                              "retrain or restore it.", file=path.name)
    missing = [key for key, kind in CARD_SECTIONS.items() if not isinstance(card.get(key), kind)]
    if missing:
        raise CheckpointError("The card {file} is not an AE Lab model card (no valid "
                              "{sections}); retrain or restore it.", file=path.name, sections=", ".join(missing))
    return card


def load(name: str, folder: str | Path | None = None) -> tuple[nn.Module, dict]:
    """Rebuild checkpoint `name` from its card and weights: (model in eval mode on the CPU, card)."""
    folder = Path(folder) if folder is not None else default_dir()
    card = read_card(name, folder)
    weights = folder / _weights_name(name, card)
    if not weights.is_file():
        raise CheckpointError("The weights file {file} is missing; retrain or restore it.", file=weights.name)
    if _sha256(weights) != card["sha256"]:
        raise CheckpointError("{file} does not match its card (sha256 differs): the file is "
                              "truncated, corrupt or from another model; retrain or restore it.", file=weights.name)
    try:
        model = build_model(from_dict(ModelConfig, card["model"]))
    except (TypeError, ValueError) as err:
        raise CheckpointError("The card {name}.json describes a model this version cannot build: {error}",
                              name=name, error=err) from err
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError("{file} is not a readable safetensors file ({error}); retrain or "
                              "restore it.", file=weights.name, error=err) from err
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:  # "Error(s) in loading state_dict for LinearAE:", then one line per problem:
        # the first one says enough
        detail = next((line.strip() for line in str(err).splitlines()[1:] if line.strip()), "")
        raise CheckpointError("The weights in {file} do not fit the model its card describes "
                              "({detail}); retrain or restore it.", file=weights.name,
                              detail=detail or str(err)) from err
    return model.eval(), card


def pack(name: str, folder: str | Path | None = None) -> bytes:
    """Checkpoint `name` as a zip of its two files, `<name>.json` and its weights: what `unpack` reads."""
    folder = Path(folder) if folder is not None else default_dir()
    weights = weights_path(name, folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(folder / f"{name}.json", f"{name}.json")
        archive.write(weights, weights.name)
    return buffer.getvalue()


def unpack(files: dict[str, bytes]) -> tuple[bytes, bytes]:
    """(card, weights) bytes from uploaded files: one zip made by `pack`, or a .json and a .safetensors.
    Raises CheckpointError for anything else. Member names inside a zip are only matched by their
    ending, never used as paths, and sizes are checked before anything is decompressed."""
    if len(files) == 1 and zipfile.is_zipfile(io.BytesIO(next(iter(files.values())))):
        try:
            with zipfile.ZipFile(io.BytesIO(next(iter(files.values())))) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if sum(m.file_size for m in members) > MAX_PACKED_BYTES:
                    raise CheckpointError("The zip unpacks to more than {megabytes} MB; "
                                          "a checkpoint of AE Lab is a few MB at most.",
                                          megabytes=MAX_PACKED_BYTES // 2**20)
                files = {m.filename: archive.read(m) for m in members}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError) as err:
            raise CheckpointError("The zip cannot be read ({error}).", error=err) from err
    cards = [data for filename, data in files.items() if filename.lower().endswith(".json")]
    weights = [data for filename, data in files.items() if filename.lower().endswith(".safetensors")]
    if len(cards) != 1 or len(weights) != 1:
        raise CheckpointError("A checkpoint is one card (.json) and one weights file (.safetensors): upload "
                              "both, or the zip that the Train page's download gives.")
    return cards[0], weights[0]


def install(card_bytes: bytes, weights_bytes: bytes, name: str, folder: str | Path) -> Path:
    """Write an uploaded checkpoint into `folder` as `name` (its card's name and weights file renamed to
    match) and load it once to prove it whole; on any fault, remove what was written and raise
    CheckpointError. Returns the folder."""
    folder = Path(folder)
    try:
        card = json.loads(card_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError("The card is not readable JSON ({error}).", error=err) from err
    if not isinstance(card, dict):
        raise CheckpointError("The card is not an AE Lab model card (not a JSON object).")
    weights = f"{check_name(name)}.safetensors"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        (folder / weights).write_bytes(weights_bytes)
        (folder / f"{name}.json").write_text(json.dumps({**card, "name": name, "weights": weights}, indent=2))
        load(name, folder)
    except CheckpointError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
