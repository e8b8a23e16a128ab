"""The protocol's state diagram, drawn from the engine's own table and laid out by Graphviz.

Every (from, to) pair of the table gets exactly one arrow whose ``gid`` is
``"FROM->TO"`` (tests compare those with the table) and one label
``"label:FROM->TO"``.  Commands that keep the state are grouped
(:mod:`.state_loops`): one wrapped label per state, ``"loop:STATE"``, and the
commands every looping state keeps in one footnote, ``"loops:common"``.

Layout: Graphviz ``dot`` (through networkx's pydot interface) places the states
left to right in the order a session normally goes.  Each label is a node of
its own, sized from the label's text as matplotlib measures it, on the way
from its source to its target, so dot keeps labels apart from each other and
from the states.  matplotlib then draws boxes, labels and dot's splines, so the
picture is a Figure like the others (SVG for the player, PNG on request).
"""
from __future__ import annotations

import json
import re
import shutil
from functools import cache

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, PathPatch
from matplotlib.path import Path

from simulator.locale import has, t
from simulator.views import HIGHLIGHT, HIGHLIGHT_EDGE, NEUTRAL

from . import picture_cache
from .state_loops import common_text, loop_text, stay_groups, wrap
from .state_tables import Edge, StateTable, state_table

STATE_FONT, LABEL_FONT, TITLE_FONT, NOTE_FONT = 10, 8.5, 11, 8     # points
_PAD = 3.0                    # points around a label's text inside its (invisible) node
_BOX_PAD = (8.0, 5.0)         # points around a state's name inside its box
_TOKEN = re.compile(r"^[A-Z0-9][A-Z0-9 /_*-]*$")     # a command or a reply code: never translated


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` is not installed; the message says how to install it."""


def _edge_label(edge: Edge, lang: str) -> str:
    """Commands and reply codes as they are; every other input in ``lang``.

    The engine's automatic moves have their own words (``ui.state_auto``);
    inputs that are not commands ("<tls handshake>", "some accepted") are
    looked up by their slug in ``ui.state_input``.
    """
    key = f"ui.state_auto.{edge.source}_{edge.target}"
    if edge.automatic and has(key, lang):
        return t(key, lang)
    if _TOKEN.match(edge.label):
        return edge.label
    slug = re.sub(r"[^a-z0-9]+", "_", edge.label.lower()).strip("_")
    key = f"ui.state_input.{slug}"
    return t(key, lang) if has(key, lang) else edge.label


def _label_text(table: StateTable, pair: tuple[str, str], lang: str, loops: dict) -> str:
    if pair[0] == pair[1]:
        return loop_text(loops[pair[0]], lang, width=26,
                         name=lambda c: _edge_label(Edge(pair[0], pair[0], c), lang))
    edges = [e for e in table.edges if (e.source, e.target) == pair]
    return wrap(list(dict.fromkeys(_edge_label(e, lang) for e in edges)), 20)


@cache
def _canvas() -> tuple[Figure, object]:
    fig = Figure(dpi=72)                       # at 72 dpi a pixel is a point, Graphviz's unit
    return fig, FigureCanvasAgg(fig).get_renderer()


def text_size(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """(width, height) in points of ``text`` as matplotlib draws it (lines and all)."""
    fig, renderer = _canvas()
    artist = fig.text(0, 0, text, fontsize=size, linespacing=1.15,
                      fontweight="bold" if bold else "normal")
    box = artist.get_window_extent(renderer)
    artist.remove()
    return box.width, box.height


def _graph(states: tuple[str, ...], labels: dict[tuple[str, str], str]) -> nx.MultiDiGraph:
    """States and label nodes, with sizes in inches (Graphviz's unit for node sizes)."""
    graph = nx.MultiDiGraph()
    for state in states:
        w, h = text_size(state, STATE_FONT, bold=True)
        graph.add_node(state, width=(w + 2 * _BOX_PAD[0]) / 72,
                       height=(h + 2 * _BOX_PAD[1]) / 72)
    for n, ((source, target), text) in enumerate(sorted(labels.items())):
        w, h = text_size(text, LABEL_FONT, bold=True)   # the arrow just taken is bold
        node = f"label{n}"
        graph.add_node(node, width=(w + 2 * _PAD) / 72, height=(h + 2 * _PAD) / 72,
                       pair=f"{source}->{target}")
        graph.add_edge(source, node, arrowhead="none")
        graph.add_edge(node, target)
    return graph


def layout(table: StateTable, labels: dict[tuple[str, str], str] | None = None) -> dict:
    """Graphviz's layout: ``{"bb": (w, h), "nodes": {name: (x, y, w, h)},
    "edges": [(tail, head, points, tip)]}`` in points, y upwards.

    Kept per table and labels (running ``dot`` costs tens of milliseconds, and
    the layout does not depend on which state is highlighted).
    """
    labels = labels if labels is not None else {p: "" for p in table.pairs()}
    return _layout(table.states, tuple(sorted(labels.items())))


@cache
def _layout(states: tuple[str, ...], labels: tuple[tuple[tuple[str, str], str], ...]) -> dict:
    graph = _graph(states, dict(labels))
    for name in graph.nodes:
        graph.nodes[name].update(shape="box", fixedsize="true", label='""')
    dot = nx.nx_pydot.to_pydot(graph)
    dot.set_rankdir("LR")
    dot.set_nodesep("0.12")
    dot.set_ranksep("0.25")
    dot.set_margin("0")
    # The initial state first: a session starts there.
    dot.set("ordering", "out")
    data = json.loads(dot.create(prog="dot", format="json"))
    names = {o["_gvid"]: o["name"] for o in data["objects"]}
    nodes = {}
    for o in data["objects"]:
        x, y = map(float, o["pos"].split(","))
        nodes[o["name"]] = (x, y, float(o["width"]) * 72, float(o["height"]) * 72)
    edges = []
    for e in data.get("edges", []):
        points, tip = _spline(e["pos"])
        edges.append((names[e["tail"]], names[e["head"]], points, tip))
    _, _, width, height = map(float, data["bb"].split(","))
    return {"bb": (width, height), "nodes": nodes, "edges": edges}


@cache
def state_svg(protocol: str, current: str | None = None, previous: str | None = None,
              lang: str = "ru") -> bytes:
    """:func:`state_diagram` of a built-in table as SVG bytes, kept once drawn.

    The tables never change, and consoles and players show the same few states
    again and again, so each picture is drawn once per process, and kept on
    disk for the next process (:mod:`.picture_cache`).
    """
    from . import to_svg
    name = picture_cache.key("state", _inputs(state_table(protocol), lang), current, previous)
    svg = picture_cache.read(name)
    if svg is None:
        svg = to_svg(state_diagram(protocol, current, previous=previous, lang=lang))
        picture_cache.write(name, svg)
    return svg


def _inputs(table: StateTable, lang: str) -> tuple:
    """Everything of ``table`` and ``lang`` that a state diagram shows."""
    common, loops = stay_groups(table)
    labels = tuple(sorted((pair, _label_text(table, pair, lang, loops))
                          for pair in table.pairs()))
    slug = f"ui.plot.protocols.{table.protocol.lower().replace(' ', '_')}"
    title = t("ui.plot.state_title", lang, protocol=t(slug, lang) if has(slug, lang)
              else table.protocol)
    # The note's words; where its lines break follows from the layout, itself from the rest.
    note = common_text(common, list(loops), lang, width=10_000) if common else ""
    return repr(table), labels, title, note


def forget_pictures() -> None:
    """Drop every picture and layout kept in this process (what a fresh process must draw
    or read from the disk cache)."""
    state_svg.cache_clear()
    _layout.cache_clear()


def _spline(pos: str) -> tuple[list[tuple[float, float]], tuple[float, float] | None]:
    """Graphviz's ``pos`` of an edge: its Bezier points and the arrow's tip, if any."""
    tip, points = None, []
    for part in pos.split():
        if part.startswith("e,"):
            tip = tuple(map(float, part[2:].split(",")))
        elif not part.startswith("s,"):
            points.append(tuple(map(float, part.split(","))))
    return points, tip


def _bezier(points: list, tip: tuple | None) -> Path:
    codes = [Path.MOVETO] + [Path.CURVE4] * (len(points) - 1)
    vertices = list(points)
    if tip is not None:
        vertices.append(tip)
        codes.append(Path.LINETO)
    return Path(vertices, codes)


def state_diagram(protocol: str, current: str | None = None, *, previous: str | None = None,
                  lang: str = "ru", table: StateTable | None = None) -> Figure:
    """The state machine of ``protocol`` (``SMTP``, ``SMTP client``, ``POP3``, ``POP2``, ``IMAP``).

    ``current`` is drawn highlighted (bold name, thick dark outline, tinted box);
    with ``previous`` the arrow just taken (previous → current) is thick and dark
    too.  The edges are exactly those of the engine's table
    (:mod:`simulator.plots.state_tables`).  Sized in points: one point of the
    layout is one point of the figure, so the text is always the same size.
    """
    table = table or state_table(protocol)
    if shutil.which("dot") is None:       # a clear message, not pydot's FileNotFoundError
        raise GraphvizMissing(t("ui.plot.no_graphviz", lang))
    common, loops = stay_groups(table)
    labels = {pair: _label_text(table, pair, lang, loops) for pair in table.pairs()}
    placed = layout(table, labels)
    width, height = placed["bb"]
    slug = f"ui.plot.protocols.{table.protocol.lower().replace(' ', '_')}"
    title = t("ui.plot.state_title", lang, protocol=t(slug, lang) if has(slug, lang)
              else table.protocol)
    note = common_text(common, list(loops), lang, width=max(40, int(width / 5))) if common else ""
    top = text_size(title, TITLE_FONT)[1] + 10
    bottom = text_size(note, NOTE_FONT)[1] + 10 if note else 4
    margin = 4.0
    fig = Figure(figsize=((width + 2 * margin) / 72, (height + top + bottom) / 72), dpi=72)
    total = height + top + bottom
    ax = fig.add_axes((margin / (width + 2 * margin), bottom / total,
                       width / (width + 2 * margin), height / total))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    active = (previous, current)
    for name, (x, y, w, h) in placed["nodes"].items():
        if name in table.states:
            _box(ax, name, (x, y, w, h), name == current)
    pairs = {f"label{n}": pair for n, pair in enumerate(sorted(labels))}
    for tail, head, points, tip in placed["edges"]:
        pair = pairs[head] if head in pairs else pairs[tail]
        automatic = all(e.automatic for e in table.edges if (e.source, e.target) == pair)
        _line(ax, pair, _bezier(points, tip), to_label=head in pairs,
              active=pair == active, automatic=automatic)
    for node, pair in pairs.items():
        x, y, _, _ = placed["nodes"][node]
        gid = f"loop:{pair[0]}" if pair[0] == pair[1] else f"label:{pair[0]}->{pair[1]}"
        ax.text(x, y, labels[pair], fontsize=LABEL_FONT, ha="center", va="center",
                linespacing=1.15, gid=gid, zorder=5,
                color=HIGHLIGHT_EDGE if pair == active else "#333333",
                fontweight="bold" if pair == active else "normal")
    fig.text(0.5, 1 - 4 / total, title, fontsize=TITLE_FONT, ha="center", va="top",
             gid="title")
    if note:
        fig.text(0.5, 3 / total, note, fontsize=NOTE_FONT, ha="center", va="bottom",
                 color=NEUTRAL, gid="loops:common", linespacing=1.15)
    return fig


def _box(ax, state: str, geometry: tuple[float, float, float, float], current: bool) -> None:
    x, y, w, h = geometry
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0,rounding_size=4",
                                gid=f"state:{state}", zorder=3,
                                facecolor=HIGHLIGHT if current else "white",
                                edgecolor=HIGHLIGHT_EDGE if current else NEUTRAL,
                                linewidth=2.6 if current else 1.1))
    ax.text(x, y, state, ha="center", va="center", zorder=4, fontsize=STATE_FONT,
            fontweight="bold", gid=f"name:{state}")


def _line(ax, pair, path: Path, to_label: bool, active: bool, automatic: bool) -> None:
    """The half of an arrow before its label (a plain line) or after it (with the head)."""
    style = {"color": HIGHLIGHT_EDGE if active else NEUTRAL,
             "linewidth": 2.2 if active else 1.0,
             "linestyle": "--" if automatic else "-", "zorder": 2}
    if to_label:
        ax.add_patch(PathPatch(path, fill=False, **style))
    else:
        ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=10,
                                     gid=f"{pair[0]}->{pair[1]}", **style))
