"""How the benchmarks report: rows of (what, figure, anchor, ratio), medians and spreads.

A shared machine makes single runs noisy, so a comparison is run a few
times, ours and the anchor's alternately (ABBA), and reported as the median
ratio with the lowest and highest ratio of the individual runs beside it.
"""
from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Row(NamedTuple):
    """One line of the table; ``anchor`` is what the figure is compared with."""

    what: str
    figure: str
    anchor: str = ""
    ratio: str = ""


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def run_count(quick: bool, repeat: int, minimum: int) -> int:
    """How many runs of each side: ``repeat`` in a quick run, at least ``minimum`` in a full one
    (for comparisons whose single runs scatter widely on a shared machine)."""
    return repeat if quick else max(repeat, minimum)


def alternating(count: int, ours: Callable[[], T], anchor: Callable[[], T]
                ) -> tuple[list[T], list[T]]:
    """``count`` runs of each side, in ABBA order; (our results, the anchor's).

    Who goes first alternates from one pair to the next, so a drift in the
    machine's load during a pair touches both sides alike.
    """
    mine: list[T] = []
    theirs: list[T] = []
    for n in range(count):
        pair = [(ours, mine), (anchor, theirs)]
        for run, results in pair if n % 2 == 0 else pair[::-1]:
            results.append(run())
    return mine, theirs


def best_cpu_of(repeat: int, func: Callable[[], object]) -> float:
    """The least CPU time of ``repeat`` runs, in seconds, for single-threaded work that
    never waits (the sans-IO engines): time the processes beside it take is not counted,
    so the figure holds on a loaded machine where wall-clock runs vary tenfold."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def divide(a: float, b: float) -> float:
    """a / b, NaN instead of an exception when a run left nothing to divide by.

    Two causes: a failed run (no message delivered), and a figure under the
    resolution of the kernel's CPU clock (a short quick run of Dovecot's
    per-client processes can cost less than one 10 ms tick each).
    """
    return a / b if b else float("nan")


def spread(ratios: Sequence[float]) -> str:
    """``×2.10`` for one run, ``×2.10 (×1.95–×2.31 in 3 runs)`` for several.

    Runs whose ratio is NaN (see :func:`divide`) are left out and counted.
    """
    measured = [r for r in ratios if not math.isnan(r)]
    if not measured:
        return "not measurable (too little to count in this run)"
    middle = f"×{statistics.median(measured):.2f}"
    missing = len(ratios) - len(measured)
    note = f", {missing} not measurable" if missing else ""
    if len(measured) < 2:
        return middle + (f" ({note[2:]})" if note else "")
    return (f"{middle} (×{min(measured):.2f}–×{max(measured):.2f} in {len(measured)} runs"
            f"{note})")


def verdict(ratio: float, target: float, higher_is_better: bool = True) -> str:
    """``target ≥ ×2: met`` or ``… not met``."""
    met = ratio >= target if higher_is_better else ratio <= target
    sign = "≥" if higher_is_better else "≤"
    return f"target {sign} ×{target:g}: {'met' if met else 'not met'}"


def machine_load() -> str:
    """The 1-minute load average against the number of cores (the run's conditions)."""
    try:
        one = os.getloadavg()[0]
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} on {os.cpu_count()} cores"


def percentile(values: Sequence[float], p: int) -> float:
    """The ``p``-th percentile (1–99) of ``values``."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]
