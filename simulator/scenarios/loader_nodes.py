"""Typed reading of composed YAML nodes, with errors that name the line.

:class:`Checker` is the small vocabulary the scenario sections are written in:
``mapping`` (known keys, no duplicates, required keys present), ``items``
(a list), and ``value`` (a scalar of a given kind).  Each failure raises a
:class:`ScenarioError` in the user's language pointing at the node's line.
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.locale import default_lang, t

if TYPE_CHECKING:   # pragma: no cover
    from simulator.scenarios.model import Host

#: A host or domain name: letters, digits, "-" and "_" in dot-separated labels.
HOSTNAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*"
                      r"[A-Za-z0-9_])?)*\.?$")
#: The core router every host hangs off; a link may name it as one end.
INTERNET = "internet"
_LINK_KEYS = ("peer", "links")


class ScenarioError(ValueError):
    """A scenario that cannot be used: ``"<file>, line N: <what>; expected <what>"``.

    ``message`` is the part after the location, already in the user's
    language; ``source``, ``line`` (1-based, or None) and ``key`` (the YAML key
    at fault, if any) let other tools — the DNS zone parser, an editor — point
    at the same place.
    """

    def __init__(self, message: str, *, source: str = "<scenario>", line: int | None = None,
                 key: str | None = None, lang: str | None = None) -> None:
        self.message, self.source, self.line, self.key = message, source, line, key
        self.lang = lang or default_lang()
        where = source
        if line is not None:
            where = t("scenario.at_line", self.lang, source=source, line=line)
        super().__init__(f"{where}: {message}" if where else message)


def _is_number(v: Any) -> bool:
    # bool is an int in Python, but "at: yes" is certainly not a time.
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


#: kind -> (test of the constructed value, locale key of what is expected)
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "text": (lambda v: isinstance(v, str), "text"),
    "number": (lambda v: _is_number(v) and v >= 0, "number"),
    "positive": (lambda v: _is_number(v) and v > 0, "positive"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "int"),
    "positive_int": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                     "positive_int"),
    "bool": (lambda v: isinstance(v, bool), "bool"),
    "octets": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "octets"),
}


class Checker:
    """Reads nodes of one source in one language; every complaint is a ScenarioError."""

    def __init__(self, source: str, lang: str) -> None:
        self.source, self.lang = source, lang
        # Only used to build scalars and to expand '<<' merge keys the YAML way.
        self._constructor = yaml.SafeLoader("")

    # -- errors -----------------------------------------------------------
    def error(self, line: int | None, code: str, key: str | None = None,
              **params: Any) -> ScenarioError:
        """A ScenarioError for ``scenario.error.<code>`` at ``line``."""
        message = t(f"scenario.error.{code}", self.lang, key=key, **params)
        return ScenarioError(message, source=self.source, line=line, key=key, lang=self.lang)

    def fail(self, node: Node | None, code: str, key: str | None = None,
             **params: Any) -> NoReturn:
        """Raise the error ``code`` at the line where ``node`` starts."""
        raise self.error(line_of(node), code, key, **params)

    def text(self, key: str) -> str:
        """A text of this checker's language, e.g. ``expect.number``."""
        return t(f"scenario.{key}", self.lang)

    def show(self, node: Node | None) -> str:
        """What the file says at ``node``, quoted for an error message."""
        if isinstance(node, SequenceNode):
            return self.text("value.list")
        if isinstance(node, MappingNode):
            return self.text("value.mapping")
        return show_value(self.scalar(node), self.text("value.empty"))

    def hint(self, word: str, choices: Iterable[str]) -> str:
        """`` (did you mean 'roles'?)`` when ``word`` is a likely typo of a choice."""
        guess = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
        return t("scenario.error.hint", self.lang, guess=guess[0]) if guess else ""

    # -- structure ----------------------------------------------------------
    def scalar(self, node: Node | None) -> Any:
        """The Python value of a scalar node (None for a missing node)."""
        if node is None:
            return None
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: Node, key: str, where: str, allowed: Iterable[str] | None,
                required: Iterable[str] = ()) -> dict[str, tuple[Node, Node]]:
        """Key -> (key node, value node), refusing unknown, duplicate and missing keys.

        ``allowed=None`` allows every key (zone origins are free-form).
        """
        allowed = None if allowed is None else tuple(allowed)
        if not isinstance(node, MappingNode):
            self.fail(node, "type", key=key, expected=self.text("expect.mapping"),
                      got=self.show(node))
        written = {id(key_node) for key_node, _ in node.value}
        self._constructor.flatten_mapping(node)      # expands '<<: *anchor' in place
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            # A key brought in by '<<' may be overridden; only a key written
            # twice by hand is a mistake.
            if self._merged(key_node, fields, written):
                fields.pop(self.scalar(key_node))
            name = self._key(key_node, fields)
            if allowed is not None and name not in allowed:
                self.fail(key_node, "unknown_key", key=name, where=where,
                          allowed=", ".join(allowed), hint=self.hint(name, allowed))
            fields[name] = (key_node, value_node)
        for name in required:
            if name not in fields:
                self.fail(node, "missing", key=name, where=where)
        return fields

    def _merged(self, key_node: Node, seen: dict[str, tuple[Node, Node]], written: set) -> bool:
        """Whether ``key_node`` repeats a key that came from a merge (so it overrides it)."""
        name = self.scalar(key_node) if isinstance(key_node, ScalarNode) else None
        return isinstance(name, str) and name in seen and id(seen[name][0]) not in written

    def _key(self, key_node: Node, seen: dict[str, tuple[Node, Node]]) -> str:
        name = self.scalar(key_node) if isinstance(key_node, ScalarNode) else None
        if not isinstance(name, str):
            self.fail(key_node, "key_type", got=self.show(key_node))
        if name in seen:
            self.fail(key_node, "duplicate", key=name, first=line_of(seen[name][0]))
        return name

    def items(self, node: Node, key: str, *, scalar_ok: bool = False) -> list[Node]:
        """The item nodes of a list; null is an empty list.

        With ``scalar_ok`` a single value stands for a one-item list, because
        ``to: bob@b.test`` is what people naturally write.
        """
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, ScalarNode) and self.scalar(node) is None:
            return []
        if scalar_ok and isinstance(node, ScalarNode):
            return [node]
        self.fail(node, "type", key=key, expected=self.text("expect.list"), got=self.show(node))

    def value(self, node: Node, key: str, kind: str) -> Any:
        """The scalar at ``node`` if it is of ``kind`` (see KINDS), else an error."""
        test, expected = KINDS[kind]
        value = self.scalar(node) if isinstance(node, ScalarNode) else node
        if not isinstance(node, ScalarNode) or not test(value):
            self.fail(node, "type", key=key, expected=self.text(f"expect.{expected}"),
                      got=self.show(node))
        # Seconds are floats in the model even when written as 60.
        return float(value) if kind in ("number", "positive") else value

    def get(self, fields: dict[str, tuple[Node, Node]], key: str, kind: str,
            default: Any = None) -> Any:
        """``fields[key]`` checked as ``kind``, or ``default`` when the key is absent."""
        if key not in fields:
            return default
        return self.value(fields[key][1], key, kind)

    def listed(self, fields: dict[str, tuple[Node, Node]], key: str) -> list[Node]:
        """The items of ``fields[key]`` (one value counts as a list of one); none if absent."""
        return self.items(fields[key][1], key, scalar_ok=True) if key in fields else []

    def matching(self, node: Node, key: str, pattern: re.Pattern, code: str) -> str:
        """A text that must match ``pattern``; ``code`` names the error otherwise."""
        value = self.value(node, key, "text")
        if not pattern.match(value):
            self.fail(node, code, key=key, got=self.show(node))
        return value

    def choice(self, node: Node, key: str, allowed: Iterable[str], *, in_list: bool = False) -> str:
        """A text that must be one of ``allowed``."""
        allowed = tuple(allowed)
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value not in allowed:
            code = "list_choice" if in_list else "choice"
            self.fail(node, code, key=key, allowed=", ".join(allowed), got=self.show(node))
        return value


class HostRefs:
    """Host references waiting to be checked once all hosts are declared."""

    def __init__(self) -> None:
        self.pending: list[tuple[Node, str, str]] = []

    def add(self, node: Node, key: str, name: str | None) -> None:
        if name is not None:
            self.pending.append((node, key, name))

    def check(self, checker: Checker, hosts: tuple[Host, ...]) -> None:
        names = [h.name for h in hosts]
        for node, key, name in sorted(self.pending, key=lambda p: line_of(p[0])):
            # The core router every host hangs off may be one end of a link.
            if name not in names and not (key in _LINK_KEYS and name == INTERNET):
                checker.fail(node, "unknown_host", key=key, got=f"'{name}'",
                             hint=checker.hint(name, names), allowed=", ".join(names) or "—")


def line_of(node: Node | None) -> int | None:
    """The 1-based line where ``node`` starts."""
    return None if node is None else node.start_mark.line + 1


def show_value(value: Any, empty: str) -> str:
    """A constructed value as the user wrote it: strings quoted, booleans as YAML says them."""
    if value is None:
        return empty
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown) if "\n" in shown else f"'{shown}'"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
