"""Sequence sets: ``1:4,7,9:*`` for message numbers or UIDs (RFC 3501 §9, RFC 9051 §9).

``*`` stands for the largest number in use: the last message sequence
number, or the largest UID.  ``$`` (SEARCHRES, RFC 5182) is not a set of
numbers but the session's saved search result: the commands resolve it
themselves (``updates.targets``), so here it is refused.  A range may be written backwards (``4:2`` = ``2:4``).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from .lexer import ParseError

_NUMBER = r"(?:[1-9][0-9]{0,9}|\*)"
_SET = re.compile(rf"{_NUMBER}(?::{_NUMBER})?(?:,{_NUMBER}(?::{_NUMBER})?)*")
MAX_NUMBER = 2**32 - 1       # nz-number is 32 bits (RFC 3501 §9)
STAR = 0                     # marks "*" inside a range


@dataclass(frozen=True)
class SequenceSet:
    """A parsed set: ranges ``(low, high)`` where STAR (0) stands for ``*``."""

    ranges: tuple[tuple[int, int], ...]
    text: str

    def intervals(self, largest: int) -> list[tuple[int, int]]:
        """The set as sorted, disjoint ``(low, high)`` intervals, ``*`` being ``largest``.

        A client may send thousands of ranges in one line; merged once, they
        are looked up by bisection instead of one by one for every message.
        """
        # Plain loops: nested generator expressions cost more than the work for the
        # usual one-range set ("1:*"), and every FETCH, STORE and SEARCH resolves one.
        spans = []
        for low, high in self.ranges:
            low = largest if low == STAR else low
            high = largest if high == STAR else high
            spans.append((low, high) if low <= high else (high, low))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for low, high in spans:
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return merged

    def resolve(self, largest: int) -> list[int]:
        """The numbers the set names when ``*`` is ``largest``, sorted, no duplicates.

        A range such as ``5:*`` on a 3-message mailbox means ``3:5`` (RFC 3501 §9:
        "*" is the largest number in use), so it still names message 3.
        """
        out: list[int] = []
        for low, high in self.intervals(largest):
            out.extend(range(max(low, 1), min(high, largest) + 1))
        return out

    def select(self, values: Iterable[int], largest: int) -> list[int]:
        """The members of ``values`` (e.g. the UIDs present) that the set names."""
        spans = self.intervals(largest)
        starts = [low for low, _ in spans]
        wanted = []
        for value in values:
            i = bisect_right(starts, value) - 1
            if i >= 0 and value <= spans[i][1]:
                wanted.append(value)
        return wanted

    def uses_star(self) -> bool:
        return any(STAR in r for r in self.ranges)

    def __str__(self) -> str:
        return self.text


def parse_sequence_set(text: str) -> SequenceSet:
    """Parse ``text``; ParseError("syntax.bad_sequence") if it is not a sequence set."""
    text = str(text)                     # an Atom is a str; its repr must not reach the wire
    if "$" in text:
        raise ParseError("syntax.searchres", value=text)
    if not _SET.fullmatch(text):
        raise ParseError("syntax.bad_sequence", value=text)
    ranges = []
    for item in text.split(","):
        low, _, high = item.partition(":")
        low_n, high_n = _number(low), _number(high or low)
        ranges.append((low_n, high_n))
    return SequenceSet(tuple(ranges), text)


def _number(text: str) -> int:
    if text == "*":
        return STAR
    value = int(text)
    if value > MAX_NUMBER:
        raise ParseError("syntax.number_too_big", value=text, limit=MAX_NUMBER)
    return value


def compress(numbers: Iterable[int]) -> str:
    """The shortest ``a:b,c`` form of a set of numbers (for COPYUID, APPENDUID)."""
    return ordered_compress(sorted(set(numbers)))


def ordered_compress(numbers: list[int]) -> str:
    """Like :func:`compress` but keeps the given order (COPYUID pairs source and target UIDs)."""
    out: list[str] = []
    start = prev = None
    for n in numbers:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(_run_text([start, prev]))
        start = prev = n
    if start is not None:
        out.append(_run_text([start, prev]))
    return ",".join(out)


def _run_text(run: list[int]) -> str:
    return str(run[0]) if run[0] == run[-1] else f"{run[0]}:{run[-1]}"
