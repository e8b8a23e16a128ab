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

A strip is drawn without its title, and the title is drawn on its own per
language: the rows are the same bytes in every language, so switching the
player's language draws one line of text, not the whole strip again (except
for strips with IMAP "overtook" notes, which are in words).
"""
from __future__ import annotations

import copy
import io
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from simulator.trace import Trace
from simulator.views import HIGHLIGHT, HIGHLIGHT_EDGE

from .imap_tags import overtaken
from .sequence import TITLE_SIZE, sequence_diagram, sequence_title

CHUNK = 48          # current rows owned by one strip
KEEP = 4            # strips kept in memory (each is a few MB of pixels)
_TINT = np.array(to_rgb(HIGHLIGHT)) * 255
_EDGE = np.array(to_rgb(HIGHLIGHT_EDGE)) * 255
_EDGE_PX = 4        # width of the orange mark at the left of the current row


class Strip:
    """The pixels of one drawn strip and where its rows are (pixel rows, top = 0)."""

    def __init__(self, trace: Trace, indices: Sequence[int]) -> None:
        self.trace, self.indices = trace, tuple(indices)
        fig = sequence_diagram(trace, list(indices), highlight=None, layer="rows")
        self.pixels = _pixels(fig)
        height = self.pixels.shape[0]
        transform = fig.axes[0].transData

        def pixel_y(y: float) -> int:
            return round(float(height - transform.transform((0.0, y))[1]))
        # Row r is drawn at data y = -r and owns the band (-r - 0.5, -r + 0.5).
        self.edges = [pixel_y(0.5 - r) for r in range(len(indices) + 1)]
        self.head = squeeze_blank_rows(self.pixels[:self.edges[0]])

    def with_notes(self, lang: str) -> Strip:
        """The same strip with its "overtook" notes written in ``lang``.

        The notes are drawn alone on a figure of the same geometry and laid
        over the rows like ink on paper (the darker pixel wins).
        """
        notes = _pixels(sequence_diagram(self.trace, list(self.indices), layer="notes",
                                         lang=lang))
        out = copy.copy(self)
        out.pixels = np.minimum(self.pixels, notes)
        return out

    def window(self, row: int, before: int, after: int) -> np.ndarray:
        """The lane header over rows ``row - before … row + after``, ``row`` highlighted."""
        lo, hi = max(0, row - before), min(len(self.edges) - 1, row + after + 1)
        body = self.pixels[self.edges[lo]:self.edges[hi]].astype(np.uint16)
        top, bottom = self.edges[row] - self.edges[lo], self.edges[row + 1] - self.edges[lo]
        band = body[top:bottom]
        band[:] = band * _TINT.astype(np.uint16) // 255
        band[:, :_EDGE_PX] = _EDGE
        return np.concatenate([self.head, body.astype(np.uint8)])


def _pixels(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


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


def title_pixels(text: str, width: int, dpi: int = 72) -> np.ndarray:
    """One line of title text, centred, as RGB pixels exactly ``width`` wide."""
    fig = Figure(figsize=(width / dpi, 0.36), dpi=dpi)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=TITLE_SIZE)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    out = np.full((pixels.shape[0], width, 3), 255, dtype=np.uint8)
    out[:, :min(width, pixels.shape[1])] = pixels[:, :width]
    return out


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
        self._titles: dict[tuple[str, int], np.ndarray] = {}
        self._worded = set(overtaken(trace.steps))      # rows with words in them

    def png(self, positions: Sequence[int], position: int, lang: str) -> bytes:
        """The picture of ``positions[position]`` with ``window`` rows around it."""
        start = (position // self.chunk) * self.chunk
        lo = max(0, start - self.window)
        indices = tuple(positions[lo:start + self.chunk + self.window])
        strip = self._strip(indices, lang)
        window = strip.window(position - lo, self.window, self.window)
        return encode_png(np.concatenate([self._title(lang, window.shape[1]), window]))

    def _title(self, lang: str, width: int) -> np.ndarray:
        if (lang, width) not in self._titles:
            self._titles[lang, width] = title_pixels(sequence_title(self.trace, lang), width)
        return self._titles[lang, width]

    def _strip(self, indices: tuple[int, ...], lang: str) -> Strip:
        # The rows are the same in every language; notes in words are laid on top.
        rows = self._cached((indices, None), lambda: Strip(self.trace, indices))
        if not self._worded.intersection(indices):
            return rows
        return self._cached((indices, lang), lambda: rows.with_notes(lang))

    def _cached(self, key: tuple, make) -> Strip:
        if key in self._strips:
            self._strips.move_to_end(key)
        else:
            self._strips[key] = make()
            while len(self._strips) > KEEP:
                self._strips.popitem(last=False)
        return self._strips[key]
