"""The app's languages: gettext catalogues in locales/, one per language, and the calls pages translate with.

English is the source language: the message ids are the English text, so English needs no catalogue. Every
other language is one folder, locales/<code>/LC_MESSAGES/messages.po, compiled to messages.mo by the setup
(`make catalogues`, which `make run` and `make test` call). `languages()` finds them, so adding a language
means adding its .po file and nothing else: its name (Babel's CLDR data, "Türkçe") and its decimal and
grouping marks come from its code.

The chosen language is the session's `lang` value, set by the sidebar's menu (`language_menu`, called by
app.py on every run) and mirrored in the URL's ?lang=. Pages call:

    _("Repair")                                   translated text
    _("PSNR {value:.1f} dB", value=psnr)          translated, then filled in; numbers with the language's
                                                  decimal mark ("27,3" in Turkish)
    n_("{n} model", "{n} models", count, n=count) a plural form
    N_("lecture dropout")                         marks a module-level constant for extraction; translate it
                                                  with _(CONSTANT) where it is shown
    translated(err)                               an ae_core InputError or Message in the session's language

Values are filled in after translation, so a translation may move them; numbers (int, float, numpy) are
formatted with the given spec and then get the language's decimal and grouping marks.
"""

import gettext
import string
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st
from babel import Locale, numbers
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ae_core.errors import InputError, Message

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE = "en"  # the language the code is written in: its message ids
KEY = "lang"  # the session key of the language selectbox, and the URL's query parameter


@cache
def languages() -> list[str]:
    """The language codes the app speaks: the source language, then every catalogue in locales/ (read once per
    process: a new catalogue needs a restart, like any code change)."""
    return [SOURCE] + sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def language() -> str:
    """The session's language code: the language selectbox's value, or before it first exists in a session the
    URL's ?lang= (which will be its value); the source language outside a session or for an unknown code."""
    if get_script_run_ctx(suppress_warning=True) is None:  # a script or a test calling a page's helpers
        return SOURCE
    code = st.session_state.get(KEY) or st.query_params.get(KEY, SOURCE)  # one lookup each: every text asks
    return code if code in languages() else SOURCE


@cache
def display_name(code: str) -> str:
    """A language's name in that language, as a language menu shows it: "English", "Türkçe"."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]  # CLDR writes some names in lower case ("español")


@cache
def catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; the source language translates to itself."""
    if code == SOURCE:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALES, languages=[code])
    except FileNotFoundError as err:
        raise RuntimeError(f"locales/{code}/LC_MESSAGES/{DOMAIN}.mo is missing: run `make catalogues` "
                           "(make run and make test do it) to compile the catalogues.") from err


@cache
def formatter(code: str) -> "_LocalFormatter":
    """The one formatter of a language (it holds nothing but the language's marks)."""
    return _LocalFormatter(code)


class _LocalFormatter(string.Formatter):
    """str.format, but numbers get a language's decimal and grouping marks (format spec as usual)."""

    def __init__(self, code: str):
        super().__init__()
        self.decimal, self.group = marks(code)

    def format_field(self, value, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            text = text.translate({ord("."): "\0", ord(","): self.group}).replace("\0", self.decimal)
        return text


@cache
def marks(code: str) -> tuple[str, str]:
    """(decimal mark, grouping mark) of a language, from CLDR: (".", ",") in English, (",", ".") in Turkish."""
    return numbers.get_decimal_symbol(code), numbers.get_group_symbol(code)


def _(message: str, **values) -> str:
    """`message` in the session's language, with `values` filled in (if any) in that language's number
    format."""
    code = language()
    text = catalogue(code).gettext(message)
    return formatter(code).format(text, **values) if values else text


def n_(singular: str, plural: str, count: int, **values) -> str:
    """The singular or plural message for `count`, by the language's plural rule, then filled in as `_`."""
    code = language()
    text = catalogue(code).ngettext(singular, plural, count)
    return formatter(code).format(text, **values) if values else text


def N_(message: str) -> str:
    """Marks a constant for extraction without translating it (at import time no session has a language)."""
    return message


class LazyText(str):
    """A text marked for translation that is translated each time it is shown: for a text given once, at import,
    such as a cache decorator's spinner, which Streamlit turns into the shown text (str()) at each cache miss, in
    the session that waits for it. LazyText(N_("Loading the model..."))."""

    def __str__(self) -> str:
        return _(str.__str__(self))


def number(value: float, spec: str = "") -> str:
    """One number in the session's language: number(27.31, ".1f") is "27.3" in English, "27,3" in Turkish."""
    return formatter(language()).format_field(value, spec)


def plot_separators() -> str:
    """Plotly's layout.separators for the session's language: its decimal mark, then its grouping mark."""
    return "".join(marks(language()))


def translated(item) -> str:
    """An ae_core InputError or Message in the session's language: its template (the message id) translated and
    its values filled in, those that are InputErrors or Messages themselves translated too. Anything else, such
    as another library's error, is shown as its text."""
    if not isinstance(item, (InputError, Message)):
        return str(item)
    values = {k: translated(v) if isinstance(v, (InputError, Message)) else v for k, v in item.values.items()}
    return _(item.template, **values)


def language_menu() -> None:
    """The sidebar's language selectbox, kept in step with the URL's ?lang= so a shared link opens in its
    sender's language, and the page's <html lang>.

    Not Streamlit's bind="query-params": a bound selectbox writes the option's label to the URL
    (?lang=Türkçe), never its value. So a session's first run takes the link's code, and every run writes the
    session's code back (a page switch starts with a clean URL); the source language leaves the URL clean. The
    options are codes, shown by name: a language switch changes no other widget's value."""
    if KEY not in st.session_state:
        st.session_state[KEY] = language()  # the link's ?lang=, if it names a language
    st.sidebar.selectbox(_("Language"), languages(), format_func=display_name, key=KEY)
    if st.session_state[KEY] == SOURCE:
        st.query_params.pop(KEY, None)
    elif st.query_params.get(KEY) != st.session_state[KEY]:
        st.query_params[KEY] = st.session_state[KEY]
    mark_document()


def mark_document() -> None:
    """Tell the browser the page's language (<html lang>): screen readers, hyphenation and CSS case rules
    (Turkish i -> İ) follow it."""
    st.html(f"<script>document.documentElement.lang = '{language()}';</script>", unsafe_allow_javascript=True)
