"""LIST patterns (RFC 3501 §6.3.8, RFC 9051 §6.3.9): ``*`` and ``%`` wildcards.

``*`` matches any text, ``%`` any text without the hierarchy delimiter, so
``%`` lists one level and ``*`` the whole tree.  A regular expression with
one ``.*`` per wildcard backtracks: ``LIST "" "**********Q"`` took 16 s and
each further ``*`` multiplies that.  Here the pattern runs as a bit-parallel
automaton (shift-and): one step per character of the name, each step a few
operations on an integer with one bit per pattern position, whatever the
pattern holds.
"""
from __future__ import annotations

from .backend import DELIMITER


def _collapsed(pattern: str) -> list[str]:
    """Characters and wildcards; a run of wildcards is ``*`` if it holds one, else ``%``."""
    tokens: list[str] = []
    for char in pattern:
        if char in "*%" and tokens and tokens[-1] in "*%":
            tokens[-1] = "*" if "*" in (char, tokens[-1]) else "%"
        else:
            tokens.append(char)
    return tokens


class ListPattern:
    """One LIST pattern; :meth:`fullmatch` tells whether a mailbox name matches it.

    Bit ``i`` of the state means "the first ``i`` tokens of the pattern match
    the name read so far".  A wildcard at token ``i`` may take the next
    character and stay at ``i``, or take nothing and pass to ``i + 1``.
    """

    def __init__(self, pattern: str, delimiter: str = DELIMITER) -> None:
        tokens = _collapsed(pattern)
        self.pattern, self._delimiter, self._size = pattern, delimiter, len(tokens)
        self._star = self._percent = 0
        self._literal: dict[str, int] = {}
        for i, token in enumerate(tokens):
            if token == "*":
                self._star |= 1 << i
            elif token == "%":
                self._percent |= 1 << i
            else:
                self._literal[token] = self._literal.get(token, 0) | 1 << i
        self._wild = self._star | self._percent

    def _closure(self, state: int) -> int:
        # Wildcards were collapsed, so a wildcard is never followed by another: one step.
        return state | (state & self._wild) << 1

    def fullmatch(self, name: str) -> bool:
        state = self._closure(1)
        for char in name:
            stay = state & (self._star if char == self._delimiter else self._wild)
            state = self._closure(stay | (state & self._literal.get(char, 0)) << 1)
            if not state:
                return False
        return bool(state >> self._size & 1)
