"""``mailsim serve --trace FILE``: the live trace streamed as JSON lines.

The first line is the trace's header (the document of docs/trace-format.md
without ``steps``), then one step per line, written as it happens and
flushed line by line, so ``mailsim replay FILE``, ``Trace.load(FILE)`` and a
notebook's TracePlayer read it, even while the server still runs.  The file
holds every step (large bodies as references, see :class:`.world.LiveTrace`);
memory holds only the newest.
"""
from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger("mailsim.server")


class TraceFile:
    """Appends each step of a LiveTrace to ``path`` (replaced if it exists)."""

    def __init__(self, path: str, trace) -> None:
        # Open for the server's lifetime; close() ends it.
        self._file = open(path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
        self.path = path
        self._write(trace.header())
        trace.listeners.append(self.step)

    def step(self, step) -> None:
        self._write(step.to_dict())

    def _write(self, data: dict[str, Any]) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps(data, ensure_ascii=False) + "\n")
        except OSError:
            # A full disk must not take the clients' sessions down with it.
            log.exception("cannot write the trace to %s; no more steps go there", self.path)
            self.close()

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
