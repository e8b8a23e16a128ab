"""What every view of a trace shares: who speaks in which colour, and how a long block is cut.

A trace is shown three ways (docs/architecture.md): the terminal replay
(:mod:`simulator.replay`), the notebook widgets (:mod:`simulator.widgets`)
and the pictures (:mod:`simulator.plots`).  One rule everywhere, so a
student can tell who speaks without reading, and no colour says anything
alone: every line also starts with ``C:`` (client), ``S:`` (server) or
``··`` (an event inside a node).  The notebook palette is Okabe and Ito's
("Color Universal Design", 2002), whose colours stay apart for readers with
any common colour-vision deficiency: client blue, server vermillion, events
black; the current step, state or hop is tinted *and* outlined thick *and*
bold.  The terminal keeps its own cyan, green and dim yellow.
"""
from __future__ import annotations

from collections.abc import Sequence

from simulator.locale import t, texts

PREFIXES = {"c2s": "C:", "s2c": "S:", "internal": "··"}
#: rich styles of the terminal replay.
TERMINAL_STYLES = {"c2s": "cyan", "s2c": "green", "internal": "dim yellow"}
#: Okabe–Ito, the eight colours by their names.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
             "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
#: The same rule in notebook colours (HTML widgets and matplotlib pictures).
COLOURS = {"c2s": OKABE_ITO["blue"], "s2c": OKABE_ITO["vermillion"],
           "internal": OKABE_ITO["black"]}
HIGHLIGHT = "#fff3b0"          # background tint of the current step / hop / state
HIGHLIGHT_EDGE = OKABE_ITO["black"]    # thick outline of the current element
NEUTRAL = "#607d8b"

#: What a shortened block keeps: its first and its last lines.
_HEAD, _TAIL = 12, 4


def shorten(lines: Sequence[str], max_lines: int | None, lang: str) -> list[str]:
    """``lines`` as they are, or head + ``… (N lines)`` + tail when there are too many."""
    if max_lines is None or len(lines) <= max_lines:
        return list(lines)
    head, tail = min(_HEAD, max_lines), min(_TAIL, max(0, max_lines - _HEAD))
    hidden = len(lines) - head - tail
    marker = t("cli.replay.hidden", lang, count=hidden)
    return [*lines[:head], marker, *(lines[len(lines) - tail:] if tail else [])]


def step_text(step, lang: str) -> str:
    """What a step says, in the reader's language where the trace's own words are English.

    Protocol lines are shown as sent: they are the wire.  An event inside a node
    (``direction == "internal"``: a connection opened, a message queued, a fault)
    has a short English ``line`` in the trace; the views show its one-line summary
    ``event.<explain key>`` from the locale instead, filled from the step's params.
    DNS lines (``b.test. IN MX? → 10 mx.b.test.``) are notation, not words, and stay.
    """
    if step.direction != "internal" or not step.explain:
        return step.line
    key = f"event.{step.explain}"
    if key not in texts(lang):
        return step.line
    return t(key, lang, **{"src": step.src, "dst": step.dst, **step.meta, **step.params})

