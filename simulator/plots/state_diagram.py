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

import io
import threading
from collections import deque
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

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
    # add_artist, not add_patch: add_patch would clip the arrow's Bézier curve
    # to both boxes once more just to widen the data limits, which
    # state_diagram sets by hand anyway; that was a third of drawing the picture.
    ax.add_artist(arrow)
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
    return _draw(table or state_table(protocol), current, previous, lang).fig


class _Drawing(NamedTuple):
    fig: Figure
    ax: Axes
    table: StateTable
    pos: dict[str, tuple[float, float]]
    patches: dict[str, FancyBboxPatch]
    loops: dict
    lang: str


def _draw(table: StateTable, current: str | None, previous: str | None, lang: str) -> _Drawing:
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
    return _Drawing(fig, ax, table, pos, patches, loops, lang)


class _Painter:
    """One protocol's diagram in one language, drawn once; a state is drawn over it.

    Drawing the whole diagram costs matplotlib a few hundred milliseconds (text
    layout, arrows clipped to boxes), which a console paid on every command
    that changed the state.  The painter keeps the pixels of the diagram with
    nothing highlighted and, for each state, draws only the highlighted box
    and the arrow just taken over them (the same artists state_diagram would
    draw, in z-order), then encodes the pixels.
    """

    def __init__(self, protocol: str, lang: str) -> None:
        self.drawing = _draw(state_table(protocol), None, None, lang)
        self.canvas = FigureCanvasAgg(self.drawing.fig)
        self.canvas.draw()
        self.blank = self.canvas.copy_from_bbox(self.drawing.fig.bbox)
        self.renderer = self.canvas.get_renderer()
        # Where each artist of the diagram lies, to find those a highlight covers.
        self.extents = [(a, _extent(a, self.renderer)) for a in self.drawing.ax.get_children()
                        if a.get_visible()]
        self.lock = threading.Lock()        # live consoles draw from worker threads

    def png(self, current: str | None, previous: str | None) -> bytes:
        d = self.drawing
        with self.lock:
            self.canvas.restore_region(self.blank)
            before = set(d.ax.get_children())
            pair = (previous, current)
            if current in d.pos:
                box = _box(d.ax, current, d.pos[current], True)
                if pair in d.table.pairs():
                    _arrow(d.ax, d.table, pair, d.patches | {current: box}, d.pos, d.lang,
                           True, d.loops)
            added = [a for a in d.ax.get_children() if a not in before]
            for artist in self._in_order(added, current, pair):
                d.ax.draw_artist(artist)
            for artist in added:
                artist.remove()
            pixels = np.asarray(self.canvas.buffer_rgba())[..., :3]
            buffer = io.BytesIO()
            Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


    def _in_order(self, added: list, current: str, pair: tuple) -> list:
        """The new artists, and the texts above them that they overlap (a label over
        the highlighted box), in z-order: what state_diagram would show there.

        The texts the new artists replace (the state's name in normal weight,
        the arrow's grey label) are left out.
        """
        if not added:
            return []
        region = Bbox.union([_extent(a, self.renderer) for a in added])
        lowest = min(a.get_zorder() for a in added)
        replaced = {f"label:{pair[0]}->{pair[1]}", f"loop:{current}"}
        above = [a for a, extent in self.extents
                 if isinstance(a, Text) and a.get_zorder() > lowest and extent.overlaps(region)
                 and a.get_gid() not in replaced
                 and not (a.get_text() == current and a.get_position() == self.drawing.pos[current])]
        return sorted(added + above, key=lambda a: a.get_zorder())


def _extent(artist, renderer) -> Bbox:
    """The artist's box on the canvas, a few pixels wider (text boxes have padding)."""
    return artist.get_window_extent(renderer).expanded(1.0, 1.0).padded(4)


@lru_cache(maxsize=32)
def _painter(protocol: str, lang: str) -> _Painter:
    return _Painter(protocol, lang)


@lru_cache(maxsize=256)
def state_png(protocol: str, current: str | None = None, previous: str | None = None,
              lang: str = "ru") -> bytes:
    """The picture of :func:`state_diagram` for a built-in table, as PNG bytes.

    Kept once drawn (the tables never change, and consoles and players show
    the same few states again and again); a state not seen before is drawn
    over the protocol's diagram, which is drawn once per language.
    """
    return _painter(protocol, lang).png(current, previous)


def forget_pictures() -> None:
    """Drop every kept picture (what a fresh process would have to draw)."""
    state_png.cache_clear()
    _painter.cache_clear()
