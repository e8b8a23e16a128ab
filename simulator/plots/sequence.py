"""The sequence diagram: a lane per node, an arrow per command or reply.

Time runs downwards, one row per Step.  Client→server and server→client
steps are arrows between the two lanes, coloured like the terminal replay
(C: cyan, S: green); steps inside a node are notes on its lane, and steps
from a node to another (a DNS query, a TCP connect) are dotted arrows.  IMAP
lines carry their tag in a coloured box (the same colour for a command and its
completion, :mod:`.imap_tags`), untagged ``*`` responses and ``+``
continuations get a purple marker, and a completion that overtook earlier
commands (RFC 9051 §5.5) says so next to its arrow ("↑ overtook A1").

Every row's main artist has the gid ``step:<index>``; markers have
``tagged:<index>``, ``untagged:<index>``, ``continuation:<index>`` and
``overtook:<index>``.  Tests and
a browser test can find them (gids survive into SVG output).
"""
from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure

from simulator.locale import t
from simulator.trace import Step, Trace
from simulator.views import COLOURS, HIGHLIGHT, NEUTRAL, step_text

from ._style import first_line
from .imap_tags import imap_marker, overtaken, tag_colours

__all__ = ["imap_marker", "lanes", "select", "sequence_diagram"]

_ROW = 0.34            # inches per step
_LANE = 2.3            # inches per lane
UNTAGGED = "#6a1b9a"   # untagged * and + continuation markers
TITLE_SIZE = 10
LAYERS = ("all", "rows", "notes")


def select(trace: Trace, steps: Iterable[Step | int] | None) -> list[Step]:
    """The steps to draw: all, or the given Steps or indices, in the given order."""
    if steps is None:
        return list(trace.steps)
    return [trace[s] if isinstance(s, int) else s for s in steps]


def lanes(steps: Iterable[Step]) -> list[str]:
    """Nodes in order of first appearance; a step's source comes before its destination."""
    order: dict[str, None] = {}
    for step in steps:
        order.setdefault(step.src)
        order.setdefault(step.dst)
    return list(order)


def _no_line(step: Step) -> str:
    """A label for a step without a line (a state change the engine made on its own)."""
    if step.state_before and step.state_after:
        return f"{step.protocol}: {step.state_before} → {step.state_after}"
    return step.protocol


def _row(ax, step: Step, y: float, x: dict[str, float], current: bool, imap: dict) -> None:
    colour = COLOURS[step.direction]
    weight = "bold" if current else "normal"
    label = first_line(step_text(step, imap["lang"]) or _no_line(step), 40)
    x0, x1 = x[step.src], x[step.dst]
    ax.text(-0.55, y, f"#{step.number}", fontsize=7, color=NEUTRAL, ha="right", va="center")
    if x0 == x1:
        ax.text(x0 + 0.08, y, label, fontsize=7.5, color=colour, va="center", ha="left",
                gid=f"step:{step.index}", fontweight=weight,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "#fffbe6", "edgecolor": colour,
                          "linewidth": 0.6})
        return
    dotted = step.direction == "internal"
    ax.annotate("", xy=(x1, y), xytext=(x0, y), gid=f"step:{step.index}",
                arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 2 if current else 1,
                                "linestyle": ":" if dotted else "-", "shrinkA": 0, "shrinkB": 0})
    ax.text((x0 + x1) / 2, y + 0.06, label, fontsize=7.5, color=colour, ha="center",
            va="bottom", fontweight=weight, clip_on=False)
    _imap(ax, step, y, x0, x1, imap)


def _imap(ax, step: Step, y: float, x0: float, x1: float, imap: dict) -> None:
    marker = imap_marker(step)
    if marker is None:
        return
    kind, tag = marker
    colour = imap["colours"].get((step.conn, tag), NEUTRAL) if kind == "tagged" else UNTAGGED
    text = tag if kind == "tagged" else ("*" if kind == "untagged" else "+")
    right = x1 > x0
    ax.text(x0 + (0.12 if right else -0.12), y - 0.05, text, fontsize=7, color="white",
            ha="left" if right else "right", va="top", gid=f"{kind}:{step.index}",
            fontweight="bold", bbox={"boxstyle": "round,pad=0.15", "facecolor": colour,
                                         "edgecolor": "none"})
    if imap["layer"] == "all":
        _overtook(ax, step, y, x0, x1, imap)


def _overtook(ax, step: Step, y: float, x0: float, x1: float, imap: dict) -> None:
    """"↑ overtook A1" next to a completion that came before earlier ones (RFC 9051 §5.5)."""
    before = imap["overtook"].get(step.index)
    marker = imap_marker(step)
    if before and marker is not None and x0 != x1:
        kind, tag = marker
        colour = imap["colours"].get((step.conn, tag), NEUTRAL) if kind == "tagged" \
            else UNTAGGED
        right = x1 > x0
        ax.text(x1 + (-0.12 if right else 0.12), y - 0.05,
                t("ui.plot.overtook", imap["lang"], tags=", ".join(before)), fontsize=6.5,
                color=colour, ha="right" if right else "left", va="top", fontweight="bold",
                gid=f"overtook:{step.index}")


def sequence_diagram(trace: Trace, steps: Iterable[Step | int] | None = None,
                     highlight: int | None = None, lang: str = "ru", *,
                     layer: str = "all") -> Figure:
    """A sequence diagram of ``steps`` (default: the whole trace) with step ``highlight`` marked.

    ``highlight`` is a trace index; its row gets a yellow band and bold text.
    ``layer`` draws a part of the same picture, for the player to put together
    (:mod:`.sequence_strip`): ``"rows"`` is everything except the words in
    ``lang`` (the title and the "overtook" notes), ``"notes"`` only those notes.
    """
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {LAYERS}, got {layer!r}")
    chosen = select(trace, steps)
    # Lanes keep the whole trace's order, so a window of it looks like a part of the whole.
    used = set(lanes(chosen))
    names = [name for name in lanes(trace.steps) if name in used] or lanes(chosen)
    x = {name: float(i) for i, name in enumerate(names)}
    fig = Figure(figsize=(1.4 + _LANE * max(1, len(names)), 0.9 + _ROW * max(1, len(chosen))),
                 dpi=72)
    ax = fig.add_axes((0.06, 0.02, 0.9, 0.9 - 0.35 / (0.9 + _ROW * max(1, len(chosen)))))
    bottom = -len(chosen) + 0.4
    # Tags and overtaking are read from the whole trace: a window colours a tag as
    # the whole picture does, and a completion still knows what it overtook.
    imap = {"colours": tag_colours(trace.steps), "overtook": overtaken(trace.steps),
            "lang": lang, "layer": layer}
    for name, xpos in x.items() if layer != "notes" else ():
        ax.plot([xpos, xpos], [bottom, 0.6], color="#b0bec5", linewidth=0.8, linestyle="--")
        ax.text(xpos, 0.75, name, ha="center", va="bottom", fontsize=8.5, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "#eceff1", "edgecolor": NEUTRAL})
    for row, step in enumerate(chosen):
        if layer == "notes":
            _overtook(ax, step, -row, x[step.src], x[step.dst], imap)
            continue
        if step.index == highlight:
            ax.axhspan(-row - 0.5, -row + 0.5, color=HIGHLIGHT, zorder=0, gid="highlight")
        _row(ax, step, -row, x, step.index == highlight, imap)
    ax.set_xlim(-0.6, max(0.6, len(names) - 0.4))
    ax.set_ylim(bottom - 0.2, 1.2)
    ax.axis("off")
    if layer == "all":
        fig.suptitle(sequence_title(trace, lang), fontsize=TITLE_SIZE)
    return fig


def sequence_title(trace: Trace, lang: str) -> str:
    return t("ui.plot.sequence_title", lang, scenario=trace.scenario or "?")
