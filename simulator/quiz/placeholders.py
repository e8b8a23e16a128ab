"""``${name}`` placeholders in a bank's texts, scenarios and expressions.

The syntax is Python's :class:`string.Template` restricted to the braced form:
``${user}`` is a placeholder and ``$$`` writes one dollar sign, but a lone ``$``
followed by a word stays as written.  Mail is full of such words — ``$TTL`` in
a zone file, ``$Work`` as an IMAP keyword (RFC 9051 §2.3.2) — and a teacher
should not have to escape them.

A count takes its word forms as the course's texts do (``simulator.locale``):
``${files:файл|файла|файлов}`` is "1 файл", "3 файла", "5 файлов" and
``${files:file|files}`` "1 file", "5 files" — the forms in the order of the
language's CLDR plural categories, so only inside a ``{ru: …, en: …}`` text.
"""
from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from simulator.locale import LANGUAGES, plural_form


class Placeholders(string.Template):
    """string.Template that knows only ``${name}``, ``${count:form|forms}`` and ``$$``."""

    delimiter = "$"
    pattern = r"""
    \$(?:
      (?P<escaped>\$)                               |  # $$ -> $
      \{(?P<braced>[a-z][a-z0-9_]*(?::[^{}$|]+(?:\|[^{}$|]+)+)?)\}  |  # ${name}, ${n:a|b}
      (?P<named>(?!))                               |  # never: $word stays as written
      (?P<invalid>\{)                                  # ${ with no proper name and }
    )
    """


def names_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses; ValueError if a ``${`` is malformed."""
    template = Placeholders(text)
    if not template.is_valid():
        raise ValueError(text)
    return list(dict.fromkeys(name.split(":", 1)[0] for name in template.get_identifiers()))


def has_plural(text: str) -> bool:
    """True if ``text`` has a ``${count:form|forms}`` placeholder."""
    return any(":" in name for name in Placeholders(text).get_identifiers())


def shown(value: Any) -> str:
    """A parameter's value as a text shows it: a sample list as ``a, b``."""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _counted(value: Any, forms: str, lang: str | None) -> str:
    """``5 файлов``: the count and the form CLDR picks for it in ``lang``."""
    count = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, float) and value.is_integer():
        count = int(value)
    if count is None or lang not in LANGUAGES:   # not a whole number: the general form
        return f"{shown(value)} {forms.split('|')[-1]}"
    return f"{count} {plural_form(lang, count, forms)}"


def fill(text: str, params: Mapping[str, Any], lang: str | None = None) -> str:
    """``text`` with every ``${name}`` replaced by the parameter's value, and every
    ``${name:form|forms}`` by the value and its word form in ``lang``."""
    values = {k: shown(v) for k, v in params.items()}
    for name in Placeholders(text).get_identifiers():
        key, _, forms = name.partition(":")
        if forms:
            values[name] = _counted(params[key], forms, lang) if key in params else None
    return Placeholders(text).substitute({k: v for k, v in values.items() if v is not None})


def fill_all(data: Any, params: Mapping[str, Any], lang: str | None = None) -> Any:
    """Every string inside lists and mappings of ``data`` filled (other values kept); a
    text under a language key (``ru:``, ``en:``) takes that language's word forms."""
    if isinstance(data, str):
        return fill(data, params, lang)
    if isinstance(data, list):
        return [fill_all(v, params, lang) for v in data]
    if isinstance(data, dict):
        return {k: fill_all(v, params, k if k in LANGUAGES else lang) for k, v in data.items()}
    return data
