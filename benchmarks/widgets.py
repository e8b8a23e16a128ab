"""Ratio 4: the widgets, measured headlessly (the Python side of what the browser waits for).

- language switch: a fresh :class:`~simulator.widgets.TracePlayer` for each
  player of the tour notebook (same trace, same picture, one step shown),
  then ``set_lang`` from ru to en: labels, transcript, step panel, picture;
- console command: a fresh ``ProtocolConsole.simulated("imap-basic", "IMAP")``
  and a session typed into it (LOGIN, SELECT, FETCH, STORE, SEARCH, NOOP,
  LOGOUT), each command timed from ``submit`` to the rendered transcript,
  state and state diagram.

State diagrams are kept once drawn, in the process and on disk
(:func:`simulator.plots.state_svg`, :mod:`simulator.plots.picture_cache`).
Both are measured as in a fresh notebook kernel: the process's pictures are
forgotten before each switch and each console session, and

- "kept on disk": the pictures were drawn by an earlier kernel (the usual
  case once the tour or a console has been opened on the machine);
- "never drawn": the disk cache is empty as well (the very first time).

Both have absolute targets (issue 16: 300 ms and 150 ms); the anchor beside
them is the same widget with its picture off, measured in the same run.
The bench keeps its pictures in a folder of its own, never ~/.cache.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time

import matplotlib

matplotlib.use("Agg")       # headless: the benchmark never opens a window

from simulator.network import simulate
from simulator.plots.state_diagram import forget_pictures
from simulator.scenarios import load
from simulator.widgets import ProtocolConsole, TracePlayer

from .report import Row

SWITCH_TARGET_MS = 300.0
COMMAND_TARGET_MS = 150.0
#: The tour notebook's players: scenario, picture, the step it shows.
TOUR = (("basic", "sequence"), ("source-route", "topology"), ("retry", "none"),
        ("pop3-dele-rset", "state"), ("imap-pipelining", "sequence"))
CONSOLE_SCRIPT = ("a1 LOGIN bob@b.test bob-pw", "a2 SELECT INBOX", "a3 FETCH 1 (FLAGS ENVELOPE)",
                  "a4 STORE 1 +FLAGS (\\Flagged)", "a5 SEARCH FLAGGED", "a6 NOOP", "a7 LOGOUT")


def _cold(disk: bool = True) -> None:
    """Forget the state diagrams this process drew; ``disk=False``: the kept files too."""
    forget_pictures()
    if not disk:
        os.environ["MAILSIM_PICTURE_CACHE"] = tempfile.mkdtemp(prefix="mailsim-pictures-")


def switch_times(traces: dict, repeat: int, picture_off: bool = False,
                 disk: bool = True) -> list[float]:
    """Seconds per ru → en switch, one fresh player per switch, nothing drawn in en before
    in this process (``disk``: drawn by an earlier one)."""
    out = []
    for _ in range(repeat):
        for name, picture in TOUR:
            trace = traces[name]
            player = TracePlayer(trace, lang="ru", picture="none" if picture_off else picture)
            player.show(len(trace) // 2)
            _cold(disk)
            start = time.perf_counter()
            player.set_lang("en")
            out.append(time.perf_counter() - start)
    return out


def command_times(repeat: int, diagram: bool = True, cold: bool = True,
                  disk: bool = True) -> list[float]:
    """Seconds per console command, a fresh console per session.

    ``cold``: no state diagram drawn before in the process, as in a fresh
    notebook (``disk``: drawn by an earlier process); otherwise every
    picture was drawn by an earlier session of this process.
    """
    out = []
    for _ in range(repeat):
        if cold:
            _cold(disk)
        console = ProtocolConsole.simulated("imap-basic", "IMAP", lang="en", diagram=diagram)
        for line in CONSOLE_SCRIPT:
            start = time.perf_counter()
            console.submit(line)
            out.append(time.perf_counter() - start)
    return out


def _ms(times: list[float]) -> str:
    return (f"p50 {statistics.median(times) * 1000:,.0f} ms, "
            f"max {max(times) * 1000:,.0f} ms ({len(times)} samples)")


def rows(quick: bool) -> list[Row]:
    repeat = 1 if quick else 3
    before = os.environ.get("MAILSIM_PICTURE_CACHE")
    try:
        return _rows(repeat)
    finally:
        if before is None:
            os.environ.pop("MAILSIM_PICTURE_CACHE", None)
        else:
            os.environ["MAILSIM_PICTURE_CACHE"] = before


def _rows(repeat: int) -> list[Row]:
    traces = {name: simulate(load(name)).trace for name, _ in TOUR}
    _cold(disk=False)                   # the bench's own, empty picture folder
    first_switch = switch_times(traces, 1)      # the very first time: nothing on disk yet
    first_commands = command_times(1)
    switch = switch_times(traces, repeat)
    plain = switch_times(traces, repeat, picture_off=True)
    commands = command_times(repeat)
    warm = command_times(repeat, cold=False)
    bare = command_times(repeat, diagram=False)
    never_switch = switch_times(traces, repeat, disk=False)
    never_commands = command_times(repeat, disk=False)
    worst_switch, worst_command = max(switch) * 1000, max(commands) * 1000
    return [
        Row("4a. TracePlayer language switch ru → en (the tour's five players, fresh each time, "
            "in a fresh kernel; pictures kept on disk by an earlier one)",
            _ms(switch), "the same players without a picture: " + _ms(plain)
            + "; never drawn on this machine: " + _ms(first_switch + never_switch),
            f"target ≤ {SWITCH_TARGET_MS:.0f} ms: "
            f"{'met' if worst_switch <= SWITCH_TARGET_MS else 'not met'} (max)"),
        Row("4b. ProtocolConsole IMAP command (imap-basic: LOGIN … LOGOUT, state diagram on, "
            "in a fresh kernel; pictures kept on disk by an earlier one)",
            _ms(commands), "the same session without the diagram: " + _ms(bare)
            + "; once drawn in this kernel: " + _ms(warm)
            + "; never drawn on this machine: " + _ms(first_commands + never_commands),
            f"target ≤ {COMMAND_TARGET_MS:.0f} ms: "
            f"{'met' if worst_command <= COMMAND_TARGET_MS else 'not met'} (max)"),
    ]
