"""Russian and English texts for everything a user reads.

Texts live in ``simulator/locale/<lang>/<area>.yaml`` (one file per protocol
or area, nested maps flattened to dotted keys such as ``smtp.cmd.MAIL``).
Russian comes first: it is the default unless ``MAILSIM_LANG`` or the
locale environment says English.  A test keeps the two languages' keys equal.
"""
from __future__ import annotations

import os
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

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


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled from params.

    An unknown key falls back to the other language and then to the key
    itself, so a missing translation shows up visibly instead of crashing.
    """
    lang = lang or default_lang()
    template = texts(lang).get(key)
    if template is None:
        other = [l for l in LANGUAGES if l != lang]
        template = next((texts(o)[key] for o in other if key in texts(o)), key)
    return string.Formatter().vformat(template, (), _Lenient(params))


def explain(key: str, params: Mapping[str, Any], lang: str | None = None) -> str:
    """A step's explanation: the text of ``key`` followed by its notes.

    An engine adds ``params["notes"]`` (a list of keys) when one line needs
    more than its usual text, e.g. a MAIL FROM that carries a source route.
    """
    parts = [t(key, lang, **params)] if key else []
    parts += [t(note, lang, **params) for note in params.get("notes", ())]
    return " ".join(parts)


def has(key: str, lang: str | None = None) -> bool:
    """Whether ``key`` has a text in ``lang``."""
    return key in texts(lang or default_lang())
