"""Colours and small text helpers shared by the pictures and the widgets.

One colour rule everywhere, the same as the terminal replay
(:mod:`simulator.console`): client lines cyan with ``C:``, server lines green
with ``S:``, events inside a node dark yellow with ``··``.  The shades are
darker than the terminal's because notebooks have a white background.
"""
from __future__ import annotations

COLOURS = {"c2s": "#00798c", "s2c": "#2e7d32", "internal": "#9a7d0a"}
PREFIXES = {"c2s": "C:", "s2c": "S:", "internal": "··"}
HIGHLIGHT = "#fff3b0"          # background of the current step / hop / state
HIGHLIGHT_EDGE = "#e65100"     # outline of the current element
NEUTRAL = "#607d8b"

#: Distinct colours for IMAP tags, so a tagged completion can be matched by eye
#: with its command even when responses come back out of order (RFC 9051 §5.5).
TAG_PALETTE = ("#6a1b9a", "#c62828", "#1565c0", "#ef6c00", "#00838f", "#558b2f", "#ad1457")


def first_line(text: str, width: int = 48) -> str:
    """The first line of ``text`` cut to ``width`` characters, with ``…(+N)`` for the rest."""
    lines = text.splitlines() or [""]
    head = lines[0] if len(lines[0]) <= width else lines[0][:width - 1] + "…"
    return head + (f" …(+{len(lines) - 1})" if len(lines) > 1 else "")

