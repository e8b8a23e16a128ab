"""The pictures' colours and small text helpers.

The colour rule itself is :mod:`simulator.views`, shared with the terminal
replay and the widgets; what only the pictures need is here.
"""
from __future__ import annotations

from simulator.views import OKABE_ITO

#: Distinct colours for IMAP tags, so a tagged completion can be matched by eye
#: with its command even when responses come back out of order (RFC 9051 §5.5);
#: the tag's name is written next to it as well.  Yellow is too light for text.
TAG_PALETTE = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green",
                                                 "reddish purple", "orange", "sky blue"))


#: Control characters (a binary file on an FTP data connection, a BDAT chunk) have no glyph
#: in any font: each is drawn as a middle dot, as a hex viewer shows an unprintable octet.
_UNPRINTABLE = {**{code: "·" for code in [*range(0x20), 0x7F]}, 0x09: " "}


def first_line(text: str, width: int = 48) -> str:
    """The first line of ``text`` cut to ``width`` characters, with ``…(+N)`` for the rest;
    control characters are shown as ``·``."""
    lines = text.splitlines() or [""]
    head = lines[0] if len(lines[0]) <= width else lines[0][:width - 1] + "…"
    head = head.translate(_UNPRINTABLE)
    return head + (f" …(+{len(lines) - 1})" if len(lines) > 1 else "")

