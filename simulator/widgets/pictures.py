"""The player's picture of the current step, rendered once and cached as PNG.

matplotlib takes 0.1–0.5 s to draw a figure, far more than stepping should
cost, so each picture is keyed by what it depends on (the step window, the
state pair, the hop, the language) and drawn only the first time it is
needed.  State diagrams and topology pictures repeat a lot (few states, few
hops), so most steps hit the cache.
"""
from __future__ import annotations

from collections.abc import Sequence

from simulator.plots import has_table, state_png, to_png, topology
from simulator.plots.sequence_strip import SequenceStrips
from simulator.trace import Step, Trace

KINDS = ("none", "sequence", "state", "topology")
SEQUENCE_WINDOW = 7     # steps before and after the current one in the sequence picture


class PictureCache:
    """PNG bytes of the player's pictures for one trace."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._png: dict[tuple, bytes] = {}
        self._strips = SequenceStrips(trace, SEQUENCE_WINDOW)
        self._paths = {s.conn: s.meta["path"] for s in trace.filter(protocol="TCP")
                       if s.conn and "path" in s.meta}

    def get(self, kind: str, positions: Sequence[int], position: int, lang: str) -> bytes:
        """The picture ``kind`` for ``positions[position]``; b"" when there is nothing to draw."""
        if kind == "none" or not positions:
            return b""
        key, draw = getattr(self, f"_{kind}")(positions, position, lang)
        if key is None:
            return b""
        if key not in self._png:
            self._png[key] = draw()
        return self._png[key]

    def _sequence(self, positions, position, lang):
        # Not drawn per step: cropped from a strip drawn once for many steps
        # (simulator.plots.sequence_strip), which keeps stepping under 50 ms.
        lo = max(0, position - SEQUENCE_WINDOW)
        window = tuple(positions[lo:position + SEQUENCE_WINDOW + 1])
        return (("sequence", window, positions[position], lang),
                lambda: self._strips.png(positions, position, lang))

    def protocol_step(self, index: int) -> Step | None:
        """The step whose state machine explains ``index``: itself, or the last one of its
        connection that has a state table (a TCP close belongs to the SMTP session)."""
        step = self.trace[index]
        for candidate in reversed(self.trace.steps[:index + 1]):
            if candidate.conn == step.conn and candidate.state_after \
                    and has_table(candidate.protocol):
                return candidate
            if step.conn is None:
                break
        return None

    def _state(self, positions, position, lang):
        step = self.protocol_step(positions[position])
        if step is None:
            return None, None
        args = (step.protocol, step.state_after, step.state_before)
        return (("state", *args, lang),
                lambda: state_png(*args, lang))

    def hop(self, step: Step) -> tuple[str, ...]:
        """The nodes a step travels over: its connection's path, or its two ends."""
        if step.conn in self._paths:
            return tuple(self._paths[step.conn])
        return (step.src,) if step.src == step.dst else (step.src, step.dst)

    def _topology(self, positions, position, lang):
        hop = self.hop(self.trace[positions[position]])
        return (("topology", hop, lang),
                lambda: to_png(topology(self.trace, highlight_hop=hop, lang=lang)))
