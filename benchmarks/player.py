"""The Jupyter player's time per step, rendering included, on a long trace.

Issue 6 asks for under 50 ms per step on a 1,000-step trace with the
sequence picture on.  :func:`player_rows` steps a headless
:class:`~simulator.widgets.TracePlayer` through every step of such a trace
(``show(i)``: transcript, step panel, server view and picture, PNG bytes
ready for the browser) and reports the median and the 95th percentile, next
to the text-only player and to drawing each picture from scratch, all
measured in the same run.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")       # headless: the benchmark never opens a window

from simulator.network import simulate
from simulator.plots import sequence_diagram, to_png
from simulator.trace import Trace
from simulator.widgets import TracePlayer

from .report import Row

TARGET_STEPS = 1000
STEPS_PER_MESSAGE = 46      # the basic scenario records about this many steps per message


def long_trace(steps: int, many_messages: Callable) -> Trace:
    """The basic scenario with enough messages for at least ``steps`` steps, cut to ``steps``."""
    trace = simulate(many_messages(steps // STEPS_PER_MESSAGE + 1)).trace
    return replace(trace, steps=trace.steps[:steps])


def step_times(player: TracePlayer, indices) -> list[float]:
    """Seconds taken by ``player.show(i)`` for each ``i``, in order."""
    out = []
    for index in indices:
        start = time.perf_counter()
        player.show(index + 1)              # show() takes the step number, #1 first
        out.append(time.perf_counter() - start)
    return out


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return statistics.median(times) * 1000, cuts[18] * 1000


def redraw_times(trace: Trace, samples: int) -> list[float]:
    """The old way: a new sequence figure of 15 rows drawn and encoded for each step."""
    out = []
    for index in range(7, 7 + samples):
        start = time.perf_counter()
        to_png(sequence_diagram(trace, range(index - 7, index + 8), highlight=index, lang="en"))
        out.append(time.perf_counter() - start)
    return out


def player_rows(quick: bool, many_messages: Callable) -> list[Row]:
    """Table rows: text-only player, player with the sequence picture, drawing from scratch."""
    steps = 200 if quick else TARGET_STEPS
    trace = long_trace(steps, many_messages)
    order = range(len(trace))
    text = step_times(TracePlayer(trace, lang="en", picture="none"), order)
    pictures = step_times(TracePlayer(trace, lang="en", picture="sequence"), order)
    redraw = redraw_times(trace, 3 if quick else 10)
    (t50, t95), (p50, p95) = percentiles(text), percentiles(pictures)
    r50 = statistics.median(redraw) * 1000
    return [
        Row(f"player.show(i) + sequence picture ({len(trace)} steps; target < 50 ms)",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms per step",
            f"text only: p50 {t50:.1f} ms, p95 {t95:.1f} ms; the picture drawn from scratch: "
            f"p50 {r50:.0f} ms", f"×{p50 / t50:.1f} (p50), ×{p95 / t95:.1f} (p95) the text-only "
            f"player; ×{r50 / p50:.1f} faster than drawing from scratch"),
    ]
