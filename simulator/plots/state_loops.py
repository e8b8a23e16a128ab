"""Short labels for the commands that keep a state ("loops"), so a big table stays readable.

IMAP's SELECTED state keeps its state after some 28 commands (RFC 9051 §6.4),
most of which AUTHENTICATED allows too (§6.3), and CAPABILITY, NOOP and ID
work everywhere (§6.1).  Listing them all on every loop buries the picture.
:func:`stay_groups` groups them instead, without losing any:

* commands that keep *every* looping state (at least three states, at least
  two commands) go into one footnote under the picture;
* a state whose remaining commands include another state's (at least three,
  all but at most two) says "as in AUTHENTICATED except ENABLE, and:"
  followed only by its own;
* ``UID FETCH``, ``UID STORE`` … are written ``UID FETCH/STORE/…``.

:func:`listed` reads a label back into command names; the tests use it to
check that every transition of the table is still in the picture.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from simulator.locale import t

from .state_tables import StateTable

MIN_COMMON_STATES, MIN_COMMON, MIN_INHERITED, MAX_EXCEPT = 3, 2, 3, 2
HISTORICAL_MARK = "†"
_NBSP = "\u00a0"      # textwrap breaks only at ASCII spaces: keeps "UID FETCH/…" whole


@dataclass(frozen=True)
class Loop:
    """The commands that keep ``state``: those of ``inherits`` but ``without``, plus ``own``."""

    state: str
    own: tuple[str, ...]
    inherits: str | None = None
    without: tuple[str, ...] = ()
    common: bool = False        # the footnote's commands apply here too
    historical: frozenset[str] = frozenset()    # drawn with a dagger and a note


def _loops(table: StateTable) -> dict[str, list[str]]:
    return {s: table.labels(s, s) for s in table.states if (s, s) in table.pairs()}


def stay_groups(table: StateTable) -> tuple[tuple[str, ...], dict[str, Loop]]:
    """(commands common to every looping state, one :class:`Loop` per looping state)."""
    loops = _loops(table)
    common: tuple[str, ...] = ()
    if len(loops) >= MIN_COMMON_STATES:
        first = next(iter(loops.values()))
        common = tuple(c for c in first if all(c in other for other in loops.values()))
        if len(common) < MIN_COMMON:
            common = ()
    rest = {s: [c for c in labels if c not in common] for s, labels in loops.items()}
    out = {}
    for state, mine in rest.items():
        parent = _parent(state, rest)
        own = [c for c in mine if parent is None or c not in rest[parent]]
        without = tuple(c for c in rest[parent] if c not in mine) if parent else ()
        out[state] = Loop(state, tuple(own), parent, without, bool(common),
                          table.historical & set(own))
    return common, out


def _parent(state: str, rest: dict[str, list[str]]) -> str | None:
    """The smaller looping state whose commands ``state`` mostly repeats, if any."""
    mine = set(rest[state])
    fits = [(len(mine & set(other)), s) for s, other in rest.items()
            if s != state and len(other) < len(mine)
            and len(mine & set(other)) >= MIN_INHERITED
            and len(set(other) - mine) <= MAX_EXCEPT]
    return max(fits)[1] if fits else None


def compact(commands: list[str] | tuple[str, ...]) -> list[str]:
    """``UID FETCH``, ``UID STORE`` → ``UID FETCH/STORE`` (at the first UID command's place)."""
    uid = [c[4:] for c in commands if c.startswith("UID ")]
    out, done = [], False
    for c in commands:
        if not c.startswith("UID "):
            out.append(c)
        elif not done:
            out.append("UID" + _NBSP + "/".join(uid))
            done = True
    return out


def wrap(words: list[str], width: int) -> str:
    """Comma-separated ``words`` broken into lines of about ``width`` characters."""
    return textwrap.fill(", ".join(words), width=width, break_long_words=False,
                         break_on_hyphens=False)


def loop_text(loop: Loop, lang: str, width: int = 30,
              name: Callable[[str], str] = str) -> str:
    """The label over a state's loop arrow; a historical command gets a dagger and a note;
    ``name`` words an input that is not a command in ``lang``."""
    words = [name(w) + HISTORICAL_MARK if w in loop.historical else name(w)
             for w in compact(loop.own)]
    note = "\n" + t("ui.plot.historical", lang) if loop.historical else ""
    if loop.inherits:
        key = "ui.plot.stay_as_except" if loop.without else "ui.plot.stay_as"
        head = t(key, lang, state=loop.inherits, without=", ".join(loop.without))
        return (head + "\n" + wrap(words, width) if words else head) + note
    if not words:
        return t("ui.plot.stay_common_only", lang)
    return wrap(words, width) + note


def common_text(common: tuple[str, ...], states: list[str], lang: str, width: int = 90) -> str:
    """The footnote: the commands that keep every looping state."""
    return textwrap.fill(t("ui.plot.stay_common", lang, states=", ".join(states),
                           commands=", ".join(common)), width=width)


def listed(text: str) -> set[str]:
    """Command names in a label made by :func:`wrap` (``UID A/B`` → ``UID A``, ``UID B``)."""
    found = set()
    body = " ".join(line for line in text.splitlines()      # no heading, no historical note
                    if not line.endswith(":") and not line.startswith(HISTORICAL_MARK))
    for word in body.split(", "):
        word = word.strip().replace(_NBSP, " ").removesuffix(HISTORICAL_MARK)
        if word.startswith("UID ") and "/" in word:
            found |= {f"UID {w}" for w in word[4:].split("/")}
        found.add(word)
    return found
