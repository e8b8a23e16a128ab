"""The MIME tree of a message: one box per part, children indented under their parent.

The structure comes from :func:`simulator.mail.mime.mime_tree` (the stdlib
``email`` parser), never from reading the bytes here.  Each box shows the
content type and the facts a student needs to decode the part by hand:
charset, Content-Transfer-Encoding, file name and decoded size (RFC 2045,
RFC 2046).
"""
from __future__ import annotations

from matplotlib.figure import Figure

from simulator.locale import t
from simulator.mail.mime import mime_tree as parse_tree
from simulator.views import NEUTRAL

_ROW, _INDENT = 0.62, 0.55     # inches per part / per level
_COLOURS = {"multipart": "#e3f2fd", "message": "#f3e5f5", "text": "#e8f5e9"}


def part_label(ctype: str, facts: dict) -> str:
    """``text/plain; charset=koi8-r; base64; 120 B`` — what the box says about one part."""
    words = [ctype]
    if facts.get("charset"):
        words.append(f"charset={facts['charset']}")
    if facts.get("transfer_encoding") and not ctype.startswith("multipart/"):
        words.append(facts["transfer_encoding"])
    if facts.get("filename"):
        words.append(f"«{facts['filename']}»")
    if facts.get("size") is not None:
        words.append(f"{facts['size']} B")
    return "; ".join(words)


def _parent_rows(depths: list[int]) -> list[int | None]:
    """For each row, the row of its parent (the closest row above with depth - 1)."""
    parents: list[int | None] = []
    for row, depth in enumerate(depths):
        parents.append(next((r for r in range(row - 1, -1, -1) if depths[r] == depth - 1), None))
    return parents


def mime_tree(message: bytes, *, lang: str = "ru") -> Figure:
    """A picture of the message's MIME structure (RFC 2046 §5: multipart nesting)."""
    parts = parse_tree(message)
    depths = [depth for depth, _, _ in parts]
    fig = Figure(figsize=(7.5, 0.8 + _ROW * len(parts)), dpi=72)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.86))
    for row, ((depth, ctype, facts), parent) in enumerate(zip(parts, _parent_rows(depths))):
        x, y = depth * _INDENT, -row * _ROW
        if parent is not None:
            px = depths[parent] * _INDENT + 0.15
            ax.plot([px, px, x], [-parent * _ROW - 0.18, y, y], color=NEUTRAL, linewidth=1)
        colour = _COLOURS.get(ctype.split("/")[0], "#fff8e1")
        ax.text(x, y, part_label(ctype, facts), va="center", ha="left", fontsize=9,
                gid=f"part:{row}", bbox={"boxstyle": "round,pad=0.3", "facecolor": colour,
                                             "edgecolor": NEUTRAL})
    ax.set_xlim(-0.1, 7.4)
    ax.set_ylim(-(len(parts) - 0.5) * _ROW, 0.4)
    ax.axis("off")
    fig.suptitle(t("ui.plot.mime_title", lang), fontsize=10)
    return fig
