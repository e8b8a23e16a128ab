"""The protocol's state diagram, drawn from the engine's own table.

Layout is layered and deterministic: a state's column is its distance (in
transitions) from the initial state, so the picture reads left to right in
the order a session normally goes.  Every (from, to) pair of the table gets
exactly one arrow whose ``gid`` is ``"FROM->TO"`` (tests compare those with the
table) and one label ``"label:FROM->TO"``.  Commands that keep the state are
grouped (:mod:`.state_loops`): one wrapped label per state over its loop,
``"loop:STATE"``, and the commands every looping state keeps in one footnote,
``"loops:common"``.  Secondary states (TLS, SASL, IDLE …) sit *below* the main
path when a loop label is tall, so the labels above it have room.
"""
from __future__ import annotations

from collections import deque

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from simulator.locale import has, t

from ._style import HIGHLIGHT, HIGHLIGHT_EDGE, NEUTRAL
from .state_loops import common_text, loop_text, stay_groups, wrap
from .state_tables import Edge, StateTable, state_table

_DX, _DY = 3.4, 1.5            # distance between columns / rows, in data units
_BOX_H = 0.46
_LINE = 0.17                   # data units per line of a 6.5 pt label
TALL = 3                       # loop labels of this many lines push other states below


def _layers(table: StateTable) -> dict[str, int]:
    """Breadth-first distance from the initial state; unreachable states go last."""
    depth = {table.initial: 0}
    queue = deque([table.initial])
    while queue:
        state = queue.popleft()
        for edge in table.edges:
            if edge.source == state and edge.target not in depth:
                depth[edge.target] = depth[state] + 1
                queue.append(edge.target)
    last = max(depth.values()) + 1
    return {s: depth.get(s, last) for s in table.states}


def _is_sink(table: StateTable, state: str) -> bool:
    return all(e.target == state for e in table.edges if e.source == state)


def layout(table: StateTable, below: bool = False) -> dict[str, tuple[float, float]]:
    """State -> (x, y).

    Columns by distance from the start; in each column the busiest state sits
    on the middle row (the main path reads as a straight line) and the others
    alternate above and below it — or, with ``below``, all go below it, leaving
    the space above for tall loop labels (IMAP).  End states (no way out: CLOSED, ERROR)
    share a bottom row, so the many QUIT arrows do not cross the main path.
    """
    columns: dict[int, list[str]] = {}
    sinks = [s for s in table.states if _is_sink(table, s) and s != table.initial]
    for state, layer in _layers(table).items():
        if state not in sinks:
            columns.setdefault(layer, []).append(state)
    pos = {}
    for layer, states in columns.items():
        states.sort(key=lambda s: -sum(e.source == s and e.target != s for e in table.edges))
        for row, state in enumerate(states):
            y = -row if below else ((row + 1) // 2) * (1 if row % 2 else -1)
            pos[state] = (layer * _DX, _DY * y)
    bottom = min(y for _, y in pos.values()) - _DY
    width = max(x for x, _ in pos.values())
    for n, state in enumerate(sinks):
        pos[state] = (width * (n + 1) / (len(sinks) + 1), bottom)
    return pos


def _box(ax, state: str, xy: tuple[float, float], current: bool) -> FancyBboxPatch:
    width = 0.16 * len(state) + 0.5
    patch = FancyBboxPatch((xy[0] - width / 2, xy[1] - _BOX_H / 2), width, _BOX_H,
                           boxstyle="round,pad=0.05", gid=f"state:{state}",
                           facecolor=HIGHLIGHT if current else "white",
                           edgecolor=HIGHLIGHT_EDGE if current else NEUTRAL,
                           linewidth=2.5 if current else 1.2, zorder=3)
    ax.add_patch(patch)
    ax.text(*xy, state, ha="center", va="center", zorder=4, fontsize=9,
            fontweight="bold" if current else "normal")
    return patch


def _edge_label(edge: Edge, lang: str) -> str:
    """Commands are shown as they are; the engine's automatic moves get ru/en words."""
    key = f"ui.state_auto.{edge.source}_{edge.target}"
    return t(key, lang) if edge.automatic and has(key, lang) else edge.label


def _label_text(table: StateTable, pair: tuple[str, str], lang: str, loops: dict) -> str:
    if pair[0] == pair[1]:
        return loop_text(loops[pair[0]], lang)
    edges = [e for e in table.edges if (e.source, e.target) == pair]
    return wrap([_edge_label(e, lang) for e in edges], 22)


def _arrow(ax, table, pair, patches, pos, lang, active: bool, loops: dict) -> None:
    source, target = pair
    automatic = all(e.automatic for e in table.edges if (e.source, e.target) == pair)
    colour = HIGHLIGHT_EDGE if active else NEUTRAL
    style = {"arrowstyle": "-|>", "mutation_scale": 12, "color": colour, "gid": f"{source}->{target}",
                 "linewidth": 2.2 if active else 1.0, "linestyle": "--" if automatic else "-", "zorder": 2}
    (x0, y0), (x1, y1) = pos[source], pos[target]
    if source == target:
        arrow = FancyArrowPatch((x0 - 0.25, y0 + _BOX_H / 2), (x0 + 0.25, y0 + _BOX_H / 2),
                                connectionstyle="arc3,rad=-1.6", **style)
        label_xy, va = (x0, y0 + _BOX_H / 2 + 0.5), "bottom"
    else:
        # Longer arrows bow out further, so they pass above or below the boxes in between.
        rad = 0.12 if abs(x1 - x0) <= _DX and abs(y1 - y0) <= _DY else 0.3
        arrow = FancyArrowPatch((x0, y0), (x1, y1), patchA=patches[source],
                                patchB=patches[target], connectionstyle=f"arc3,rad={rad}",
                                **style)
        # The middle of matplotlib's arc3 Bezier curve is half-way to its control point.
        label_xy = ((x0 + x1) / 2 + rad / 2 * (y1 - y0), (y0 + y1) / 2 - rad / 2 * (x1 - x0))
        va = "center"
    ax.add_patch(arrow)
    gid = f"loop:{source}" if source == target else f"label:{source}->{target}"
    ax.text(*label_xy, _label_text(table, pair, lang, loops), fontsize=6.5, ha="center",
            va=va, color=colour, zorder=5, gid=gid, linespacing=1.1,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.85})


def state_diagram(protocol: str, current: str | None = None, *, previous: str | None = None,
                  lang: str = "ru", table: StateTable | None = None) -> Figure:
    """The state machine of ``protocol`` (``SMTP``, ``SMTP client``, ``POP3``, ``POP2``).

    ``current`` is drawn highlighted; with ``previous`` the arrow just taken
    (previous → current) is highlighted too.  The edges are exactly those of
    the engine's table (:mod:`simulator.plots.state_tables`).
    """
    table = table or state_table(protocol)
    common, loops = stay_groups(table)
    lines = max((loop_text(loop, lang).count("\n") + 1 for loop in loops.values()), default=0)
    pos = layout(table, below=lines >= TALL)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    # Room above the top row for the tallest loop label, below for the footnote.
    top = max(ys) + 1.0 + _LINE * lines
    bottom = min(ys) - (1.3 if common else 0.9)
    margin = 2.6 if lines >= TALL else 1.9        # a wide loop label on the last column
    fig = Figure(figsize=(1.2 + 0.62 * (max(xs) - min(xs) + margin - 1.9),
                          0.9 + 0.7 * (top - bottom)),
                 dpi=80)
    ax = fig.add_subplot()
    patches = {s: _box(ax, s, xy, s == current) for s, xy in pos.items()}
    for pair in sorted(table.pairs()):
        _arrow(ax, table, pair, patches, pos, lang, pair == (previous, current), loops)
    if common:
        ax.text((min(xs) + max(xs)) / 2, bottom + 0.15, common_text(common, list(loops), lang),
                fontsize=7, ha="center", va="bottom", color=NEUTRAL, gid="loops:common")
    ax.set_xlim(min(xs) - 1.9, max(xs) + margin)
    ax.set_ylim(bottom, top)
    ax.axis("off")
    ax.set_title(t("ui.plot.state_title", lang, protocol=table.protocol), fontsize=11)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.92)
    return fig
