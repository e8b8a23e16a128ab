"""The MIME tree of a message with the size of every part before and after its transfer encoding.

The structure comes from :func:`simulator.mail.mime.mime_tree` (the stdlib
``email`` parser), never from reading the bytes here.  The left column is the
tree: one box per part, children indented under their parent, saying what a
student needs to fetch and decode the part by hand — the IMAP part number
(RFC 3501 §6.4.5), the content type and charset (RFC 2046), the
Content-Transfer-Encoding (RFC 2045 §6), the file name or Content-ID
(RFC 2183, RFC 2045 §7).  The right column is the sizes: a pale bar for the
octets of the content, a dark bar for the octets on the wire, on one scale, so
base64's third (RFC 2045 §6.8) is visible at a glance.

Everything is laid out on a grid of inches and sized for a 1366×768 screen: the
labels are cut to a width that fits their column, so no text overlaps another
(``tests/plots/test_mime_tree_layout.py`` measures the drawn boxes).
"""
from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from matplotlib.figure import Figure

from simulator.locale import t
from simulator.mail.mime import Part
from simulator.mail.mime import mime_tree as parse_tree
from simulator.views import NEUTRAL

_ROW, _INDENT = 0.5, 0.3        # inches per part / per level of nesting
_WIDTH, _SIZES_AT = 10.0, 5.6   # the figure's width; where the sizes column starts (inches)
_BAR = 3.6                      # the longest bar (inches)
_LINE = 52                      # characters per line of a box (9 pt: 52 fit 4 inches)
_COLOURS = {"multipart": "#e3f2fd", "message": "#f3e5f5", "text": "#e8f5e9"}
_BEFORE, _AFTER = "#b0bec5", "#37474f"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def part_label(part: Part, width: int = _LINE) -> str:
    """Two lines: ``2.1 text/plain; charset=koi8-r`` and ``base64 · «отчёт.pdf»``."""
    head = f"{part.number} {part.content_type}".strip()
    if part.charset:
        head += f"; charset={part.charset}"
    words = []
    if not part.content_type.startswith(("multipart/", "message/rfc822")):
        words.append(part.transfer_encoding)
    if part.filename:
        words.append(f"«{part.filename}»")
    elif part.content_id:
        words.append(f"cid:{part.content_id.strip('<>')}")
    return "\n".join(_cut(line, width) for line in (head, " · ".join(words)) if line)


def size_label(part: Part, lang: str) -> str:
    """``1 234 → 1 690 B (+37 %)`` in the number format of ``lang`` (Babel, CLDR)."""
    before, after = (format_decimal(n, locale=lang) for n in (part.size, part.wire_size))
    text = t("ui.plot.mime_sizes", lang, before=before, after=after)
    if part.growth is not None and part.wire_size != part.size:
        text += f" ({'+' if part.growth > 0 else ''}"
        text += f"{format_percent(part.growth, locale=lang)})"
    return text


def _parent_rows(depths: list[int]) -> list[int | None]:
    """For each row, the row of its parent (the closest row above with depth - 1)."""
    parents: list[int | None] = []
    for row, depth in enumerate(depths):
        parents.append(next((r for r in range(row - 1, -1, -1) if depths[r] == depth - 1), None))
    return parents


def _draw_sizes(ax, part: Part, y: float, scale: float, lang: str, row: int) -> None:
    for offset, octets, colour in ((0.06, part.size, _BEFORE), (0.15, part.wire_size, _AFTER)):
        ax.barh(y - offset, max(octets * scale, 0.02), height=0.08, left=_SIZES_AT,
                color=colour, gid=f"bar:{row}")
    ax.text(_SIZES_AT, y + 0.09, size_label(part, lang), va="center", ha="left", fontsize=9,
            gid=f"size:{row}")


def mime_tree(message: bytes, *, lang: str = "ru") -> Figure:
    """A picture of the message's MIME tree with sizes (RFC 2046 §5: multipart nesting)."""
    parts = parse_tree(message)
    depths = [p.depth for p in parts]
    height = 0.9 + _ROW * len(parts)
    fig = Figure(figsize=(_WIDTH, height), dpi=72)
    ax = fig.add_axes((0, 0, 1, 1))
    biggest = max((p.wire_size or 0) for p in parts) or 1
    scale = _BAR / biggest
    for row, (part, parent) in enumerate(zip(parts, _parent_rows(depths))):
        x, y = 0.15 + part.depth * _INDENT, -row * _ROW
        if parent is not None:
            px = 0.15 + depths[parent] * _INDENT + 0.1
            ax.plot([px, px, x], [-parent * _ROW - 0.19, y, y], color=NEUTRAL, linewidth=1)
        colour = _COLOURS.get(part.content_type.split("/")[0], "#fff8e1")
        width = _LINE - round(part.depth * _INDENT / 0.075)    # ~0.075 inch per character
        ax.text(x, y, part_label(part, width), va="center", ha="left", fontsize=9,
                linespacing=1.15, gid=f"part:{row}",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "edgecolor": NEUTRAL})
        if part.size is not None and part.wire_size is not None:
            _draw_sizes(ax, part, y, scale, lang, row)
    legend_y = 0.5
    ax.text(_SIZES_AT, legend_y, "■", color=_BEFORE, fontsize=9, va="center")
    ax.text(_SIZES_AT + 0.2, legend_y, t("ui.plot.mime_before", lang), fontsize=8, va="center")
    ax.text(_SIZES_AT + 1.8, legend_y, "■", color=_AFTER, fontsize=9, va="center")
    ax.text(_SIZES_AT + 2.0, legend_y, t("ui.plot.mime_after", lang), fontsize=8, va="center")
    ax.text(0.15, legend_y, t("ui.plot.mime_title", lang, octets=len(message)), fontsize=10,
            va="center", weight="bold")
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(0.9 - height, 0.9)
    ax.axis("off")
    return fig
