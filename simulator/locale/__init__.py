"""Russian and English texts for everything a user reads.

Texts live in ``simulator/locale/<lang>/<area>.yaml`` (one file per protocol
or area, nested maps flattened to dotted keys such as ``smtp.cmd.MAIL``).
Russian comes first: it is the default unless ``MAILSIM_LANG`` or the
locale environment says English.  A test keeps the two languages' keys equal.

Counts are written with their word forms right in the placeholder, the forms
separated by ``|`` in the order of the language's CLDR plural categories for
whole numbers (Russian: one|few|many, English: one|other)::

    ru: "Текст письма: {lines:строка|строки|строк}"   # 1 строка, 2 строки, 5 строк
    en: "The message text: {lines:line|lines}"        # 1 line, 2 lines

The number comes first, then the form that Babel's CLDR rule picks for it.
This is the only way a text says "N things"; never "things: N" or "thing(s)".
"""
from __future__ import annotations

import os
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel import Locale

LANGUAGES = ("ru", "en")


def default_lang() -> str:
    """``MAILSIM_LANG`` if set, else English when LANG/LC_ALL start with 'en', else Russian."""
    explicit = os.environ.get("MAILSIM_LANG", "").lower()[:2]
    if explicit in LANGUAGES:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("ru"):
            return "ru"
    return "ru"


def _flatten(prefix: str, tree: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in tree.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            _flatten(full, value, out)
        else:
            out[full] = str(value).rstrip("\n")


@cache
def texts(lang: str) -> Mapping[str, str]:
    """All texts of one language as a flat dict of dotted keys."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    out: dict[str, str] = {}
    folder = resources.files(__name__).joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            area = entry.name[:-5]
            _flatten(area, yaml.safe_load(entry.read_text("utf-8")) or {}, out)
    return out


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


@cache
def _plural_rule(lang: str):
    return Locale.parse(lang).plural_form


@cache
def plural_categories(lang: str) -> tuple[str, ...]:
    """The CLDR plural categories whole numbers fall into, in CLDR order.

    These are the forms a count placeholder lists: ``("one", "few", "many")``
    for Russian, ``("one", "other")`` for English.  CLDR's Russian "other"
    is for fractions only, and the texts count whole things.
    """
    rule = _plural_rule(lang)
    # CLDR integer rules depend on n mod 100 (and mod 10), so 0..199 meets every case.
    seen = {rule(n) for n in range(200)}
    return tuple(c for c in _CLDR_ORDER if c in seen)


def plural_form(lang: str, count: int, forms: str) -> str:
    """The form of ``forms`` ("строка|строки|строк") that CLDR picks for ``count``."""
    options = forms.split("|")
    category = _plural_rule(lang)(count)
    categories = plural_categories(lang)
    index = categories.index(category) if category in categories else len(categories) - 1
    return options[min(index, len(options) - 1)]


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class _TextFormatter(string.Formatter):
    """str.format with plural word forms: ``{count:письмо|письма|писем}``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        count = _whole_number(value)
        if count is None:     # a missing parameter stays visible, with its words
            return f"{value} {format_spec.split('|')[-1]}"
        return f"{count} {plural_form(self.lang, count, format_spec)}"


#: The keys :func:`t` renders inside :func:`recording_shown` (None: nobody is asking).
_shown: set[str] | None = None


@contextmanager
def recording_shown() -> Iterator[set[str]]:
    """Record every key :func:`t` renders inside the ``with`` block; yields the growing set.

    tests/test_notebooks.py uses it, in the test process and inside each
    notebook's kernel, to learn which explanations the course shows.
    """
    global _shown
    outer, _shown = _shown, set()
    try:
        yield _shown
    finally:
        if outer is not None:
            outer |= _shown
        _shown = outer


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled from params.

    An unknown key falls back to the other language and then to the key
    itself, so a missing translation shows up visibly instead of crashing.
    """
    if _shown is not None:
        _shown.add(key)
    lang = lang or default_lang()
    template = texts(lang).get(key)
    if template is None:
        other = [o for o in LANGUAGES if o != lang and key in texts(o)]
        lang, template = (other[0], texts(other[0])[key]) if other else (lang, key)
    return _TextFormatter(lang).vformat(template, (), _Lenient(params))


def explain(key: str, params: Mapping[str, Any], lang: str | None = None) -> str:
    """A step's explanation: the text of ``key`` followed by its notes.

    An engine adds ``params["notes"]`` (a list of keys) when one line needs
    more than its usual text, e.g. a MAIL FROM that carries a source route.
    ``params["own"]`` (``{lang: text}``, a scenario's own explanation of a
    fault) replaces the text of ``key``.
    """
    own = params.get("own")
    if isinstance(own, Mapping) and own:
        lang = lang or default_lang()
        parts = [str(own.get(lang) or next(iter(own.values())))]
    else:
        parts = [t(key, lang, **params)] if key else []
    parts += [t(note, lang, **params) for note in params.get("notes", ())]
    return " ".join(parts)


def has(key: str, lang: str | None = None) -> bool:
    """Whether ``key`` has a text in ``lang``."""
    return key in texts(lang or default_lang())
