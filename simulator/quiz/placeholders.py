"""``${name}`` placeholders in a bank's texts, scenarios and expressions.

The syntax is Python's :class:`string.Template` restricted to the braced form:
``${user}`` is a placeholder and ``$$`` writes one dollar sign, but a lone ``$``
followed by a word stays as written.  Mail is full of such words — ``$TTL`` in
a zone file, ``$Work`` as an IMAP keyword (RFC 9051 §2.3.2) — and a teacher
should not have to escape them.
"""
from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


class Placeholders(string.Template):
    """string.Template that knows only ``${name}`` and ``$$``."""

    delimiter = "$"
    pattern = r"""
    \$(?:
      (?P<escaped>\$)                               |  # $$ -> $
      \{(?P<braced>[a-z][a-z0-9_]*)\}               |  # ${name}
      (?P<named>(?!))                               |  # never: $word stays as written
      (?P<invalid>\{)                                  # ${ with no proper name and }
    )
    """


def names_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses; ValueError if a ``${`` is malformed."""
    template = Placeholders(text)
    if not template.is_valid():
        raise ValueError(text)
    return template.get_identifiers()


def shown(value: Any) -> str:
    """A parameter's value as a text shows it: a sample list as ``a, b``."""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill(text: str, params: Mapping[str, Any]) -> str:
    """``text`` with every ``${name}`` replaced by the parameter's value."""
    return Placeholders(text).substitute({k: shown(v) for k, v in params.items()})


def fill_all(data: Any, params: Mapping[str, Any]) -> Any:
    """Every string inside lists and mappings of ``data`` filled (other values kept)."""
    if isinstance(data, str):
        return fill(data, params)
    if isinstance(data, list):
        return [fill_all(v, params) for v in data]
    if isinstance(data, dict):
        return {k: fill_all(v, params) for k, v in data.items()}
    return data
