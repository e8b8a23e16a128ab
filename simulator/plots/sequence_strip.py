"""The sequence picture for stepping: draw a strip of rows once, crop and highlight per step.

Drawing a sequence diagram costs matplotlib 0.1–0.3 s (text layout of
every label), far too slow to do on every click of the player.  Moving the
highlight changes only a few pixels, so :class:`SequenceStrips` draws a
*strip* of many rows once with :func:`~simulator.plots.sequence.sequence_diagram`
(no highlight), keeps its pixels, and for each step crops the window of rows
around the current one under the strip's lane header, tints the current row
like a highlighter pen (a multiply blend: white turns yellow, text stays
readable) and encodes the result as PNG.  One strip serves ``CHUNK`` steps,
so the drawing cost is shared by all of them; the per-step cost is a numpy
copy and a fast PNG encode.

Strips overlap by the window size, so every window lies wholly inside the
strip that owns its current row and the picture never jumps at a boundary.
"""
from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from PIL import Image

from simulator.trace import Trace

from ._style import HIGHLIGHT, HIGHLIGHT_EDGE
from .sequence import sequence_diagram

CHUNK = 48          # current rows owned by one strip
KEEP = 4            # strips kept in memory (each is a few MB of pixels)
_TINT = np.array(to_rgb(HIGHLIGHT)) * 255
_EDGE = np.array(to_rgb(HIGHLIGHT_EDGE)) * 255
_EDGE_PX = 4        # width of the orange mark at the left of the current row


class Strip:
    """The pixels of one drawn strip and where its rows are (pixel rows, top = 0)."""

    def __init__(self, trace: Trace, indices: Sequence[int], lang: str) -> None:
        fig = sequence_diagram(trace, list(indices), highlight=None, lang=lang)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        self.pixels = np.asarray(canvas.buffer_rgba())[..., :3].copy()
        height = self.pixels.shape[0]
        transform = fig.axes[0].transData

        def pixel_y(y: float) -> int:
            return round(float(height - transform.transform((0.0, y))[1]))
        # Row r is drawn at data y = -r and owns the band (-r - 0.5, -r + 0.5).
        self.edges = [pixel_y(0.5 - r) for r in range(len(indices) + 1)]
        self.head = squeeze_blank_rows(self.pixels[:self.edges[0]])

    def window(self, row: int, before: int, after: int) -> np.ndarray:
        """The lane header over rows ``row - before … row + after``, ``row`` highlighted."""
        lo, hi = max(0, row - before), min(len(self.edges) - 1, row + after + 1)
        body = self.pixels[self.edges[lo]:self.edges[hi]].astype(np.uint16)
        top, bottom = self.edges[row] - self.edges[lo], self.edges[row + 1] - self.edges[lo]
        band = body[top:bottom]
        band[:] = band * _TINT.astype(np.uint16) // 255
        band[:, :_EDGE_PX] = _EDGE
        return np.concatenate([self.head, body.astype(np.uint8)])


def squeeze_blank_rows(pixels: np.ndarray, keep: int = 10) -> np.ndarray:
    """``pixels`` without the blank rows beyond ``keep`` in a row.

    A tall strip's figure margins grow with its height, so the space between
    the title and the lane names would be far larger than in a window's picture.
    """
    blank = (pixels == 255).all(axis=(1, 2))
    run, rows = 0, []
    for y, empty in enumerate(blank):
        run = run + 1 if empty else 0
        if run <= keep:
            rows.append(y)
    return pixels[rows]


def encode_png(pixels: np.ndarray) -> bytes:
    """RGB pixels as PNG; low compression because encoding time is what the player waits for."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class SequenceStrips:
    """Sequence pictures of windows of one trace, served from a few cached strips."""

    def __init__(self, trace: Trace, window: int = 7, chunk: int = CHUNK) -> None:
        self.trace, self.window, self.chunk = trace, window, chunk
        self._strips: OrderedDict[tuple, Strip] = OrderedDict()

    def png(self, positions: Sequence[int], position: int, lang: str) -> bytes:
        """The picture of ``positions[position]`` with ``window`` rows around it."""
        start = (position // self.chunk) * self.chunk
        lo = max(0, start - self.window)
        indices = tuple(positions[lo:start + self.chunk + self.window])
        strip = self._strip(indices, lang)
        return encode_png(strip.window(position - lo, self.window, self.window))

    def _strip(self, indices: tuple[int, ...], lang: str) -> Strip:
        key = (indices, lang)
        if key in self._strips:
            self._strips.move_to_end(key)
        else:
            self._strips[key] = Strip(self.trace, indices, lang)
            while len(self._strips) > KEEP:
                self._strips.popitem(last=False)
        return self._strips[key]
