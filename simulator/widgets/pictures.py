"""The player's picture of the current step, rendered once and cached.

matplotlib takes 0.1–0.5 s to draw a figure, far more than stepping should
cost, so each picture is keyed by what it depends on (the step window, the
state pair, the hop, the language) and drawn only the first time it is
needed.  State diagrams and topology pictures repeat a lot (few states, few
hops), so most steps hit the cache; they are SVG, crisp at any size.  The
sequence picture is cropped per step from a strip of pixels (PNG), which
keeps stepping fast (:mod:`simulator.plots.sequence_strip`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from simulator.locale import t
from simulator.plots import has_table, state_svg, topology_svg
from simulator.plots.sequence_strip import SequenceStrips
from simulator.trace import Step, Trace

KINDS = ("none", "sequence", "state", "topology")
SEQUENCE_WINDOW = 5     # steps before and after the current one in the sequence picture


class Picture(NamedTuple):
    """A picture's bytes and format (``png`` or ``svg+xml``), and a line that goes with it:
    whose state a state diagram shows, or why there is no picture."""

    data: bytes = b""
    format: str = "svg+xml"
    note: str = ""


class PictureCache:
    """The player's pictures for one trace."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._drawn: dict[tuple, Picture] = {}
        self._strips = SequenceStrips(trace, SEQUENCE_WINDOW)
        self._paths = {s.conn: s.meta["path"] for s in trace.filter(protocol="TCP")
                       if s.conn and "path" in s.meta}

    def get(self, kind: str, positions: Sequence[int], position: int, lang: str) -> Picture:
        """The picture ``kind`` for ``positions[position]``; no data when there is none."""
        if kind == "none" or not positions:
            return Picture()
        key, draw = getattr(self, f"_{kind}")(positions, position, lang)
        if key is None:
            return Picture(note=draw)           # no picture: ``draw`` says why
        if key not in self._drawn:
            self._drawn[key] = draw()
        return self._drawn[key]

    def _sequence(self, positions, position, lang):
        # Not drawn per step: cropped from a strip drawn once for many steps
        # (simulator.plots.sequence_strip), which keeps stepping under 50 ms.
        lo = max(0, position - SEQUENCE_WINDOW)
        window = tuple(positions[lo:position + SEQUENCE_WINDOW + 1])
        return (("sequence", window, positions[position], lang),
                lambda: Picture(self._strips.png(positions, position, lang), "png"))

    def protocol_step(self, index: int) -> Step | None:
        """The step whose state machine explains ``index``: itself, or the last one of its
        connection that has a state table (a TCP close belongs to the SMTP session).  An FTP
        data connection has no states of its own: the session on its control connection
        between the same two hosts is in TRANSFER or CONNECTING (RFC 959 §3.2)."""
        step = self.trace[index]
        if step.protocol == "FTP-DATA":
            ends = {step.src, step.dst}
            return next((c for c in reversed(self.trace.steps[:index]) if c.protocol == "FTP"
                         and c.conn and c.state_after and {c.src, c.dst} == ends), None)
        for candidate in reversed(self.trace.steps[:index + 1]):
            if candidate.conn == step.conn and candidate.state_after \
                    and has_table(candidate.protocol):
                return candidate
            if step.conn is None:
                break
        return None

    def _state(self, positions, position, lang):
        current = self.trace[positions[position]]
        step = self.protocol_step(current.index)
        if step is None:
            return None, no_state_reason(current, lang)
        args = (step.protocol, step.state_after, step.state_before)
        key = "ui.player.state_of_data" if current.protocol == "FTP-DATA" else "ui.player.state_of"
        note = "" if step is current else t(key, lang, conn=step.conn, data=current.conn,
                                             protocol=step.protocol, state=step.state_after,
                                             number=step.number)
        return (("state", *args, note, lang),
                lambda: Picture(state_svg(*args, lang), note=note))

    def hop(self, step: Step) -> tuple[str, ...]:
        """The nodes a step travels over: its connection's path, or its two ends."""
        if step.conn in self._paths:
            return tuple(self._paths[step.conn])
        return (step.src,) if step.src == step.dst else (step.src, step.dst)

    def _topology(self, positions, position, lang):
        hop = self.hop(self.trace[positions[position]])
        return (("topology", hop, lang),
                lambda: Picture(topology_svg(self.trace, hop, lang=lang)))


def no_state_reason(step: Step, lang: str) -> str:
    """Why a step has no state diagram: outside any connection, or before its session."""
    if step.conn is None:
        return t("ui.player.no_state_outside", lang, number=step.number, node=step.src,
                 protocol=step.protocol)
    return t("ui.player.no_state_yet", lang, number=step.number, conn=step.conn)
