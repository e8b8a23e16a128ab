"""Colours and small text helpers shared by the pictures and the widgets.

The palette is Okabe and Ito's ("Color Universal Design", 2002), whose colours
stay apart for readers with any common colour-vision deficiency; and no colour
says anything alone.  Client lines are blue and start with ``C:``, server lines
vermillion with ``S:``, events inside a node black with ``··``; the current
step, state or hop is tinted *and* outlined thick *and* bold.
"""
from __future__ import annotations

#: Okabe–Ito, the eight colours by their names.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
             "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish purple": "#CC79A7"}

COLOURS = {"c2s": OKABE_ITO["blue"], "s2c": OKABE_ITO["vermillion"],
           "internal": OKABE_ITO["black"]}
PREFIXES = {"c2s": "C:", "s2c": "S:", "internal": "··"}
HIGHLIGHT = "#fff3b0"          # background tint of the current step / hop / state
HIGHLIGHT_EDGE = OKABE_ITO["black"]    # thick outline of the current element
NEUTRAL = "#607d8b"

#: Distinct colours for IMAP tags, so a tagged completion can be matched by eye
#: with its command even when responses come back out of order (RFC 9051 §5.5);
#: the tag's name is written next to it as well.  Yellow is too light for text.
TAG_PALETTE = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green",
                                                 "reddish purple", "orange", "sky blue"))


def first_line(text: str, width: int = 48) -> str:
    """The first line of ``text`` cut to ``width`` characters, with ``…(+N)`` for the rest."""
    lines = text.splitlines() or [""]
    head = lines[0] if len(lines[0]) <= width else lines[0][:width - 1] + "…"
    return head + (f" …(+{len(lines) - 1})" if len(lines) > 1 else "")

