"""matplotlib pictures of traces and scenarios: sequence diagram, topology, states, MIME.

Every function takes data (a Trace, a Scenario, a SimulationResult, message
bytes or a protocol name) and returns a :class:`matplotlib.figure.Figure`
created without pyplot, so nothing is drawn into a global state and the
same code works in a notebook, in the player and headless (Agg) in tests.
:func:`to_svg` (and :func:`to_png`) turn a figure into bytes for an ``ipywidgets.Image``.
"""
from __future__ import annotations

import io

from matplotlib import rc_context
from matplotlib.figure import Figure

from .mime import mime_tree
from .sequence import sequence_diagram
from .state_diagram import state_diagram, state_svg
from .state_tables import PROTOCOLS, StateTable, has_table, state_table
from .topology import topology, topology_graph, topology_svg


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (the Agg canvas; no display, no pyplot)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes: crisp at any zoom (Voilà, full screen, a projector).

    Text is drawn as paths, so the picture looks the same whatever fonts the
    browser has; no date in the file, so the same figure gives the same bytes.
    """
    buffer = io.BytesIO()
    # Clip-path ids are random unless salted: a fixed salt keeps the bytes reproducible.
    with rc_context({"svg.hashsalt": "mailsim"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


__all__ = ["PROTOCOLS", "StateTable", "has_table", "mime_tree", "sequence_diagram",
           "state_diagram", "state_svg", "state_table", "to_png", "to_svg", "topology",
           "topology_graph", "topology_svg"]
