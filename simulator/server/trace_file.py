"""``mailsim serve --trace FILE``: the live trace streamed as JSON lines.

The first line is the trace's header (the document of docs/trace-format.md
without ``steps``), then one step per line, written as it happens and
flushed line by line, so ``mailsim replay FILE``, ``Trace.load(FILE)`` and a
notebook's TracePlayer read it, even while the server still runs.  The file
holds every step (large bodies as references, see :class:`.world.LiveTrace`),
rotated by size (``--trace-max-mb``); memory holds only the newest.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any

log = logging.getLogger("mailsim.server")


#: The size at which the file is rotated, and how many old files are kept (FILE.1 … FILE.4).
DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_BACKUPS = 4


class TraceFile:
    """Appends each step of a LiveTrace to ``path`` (replaced if it exists), rotated by size.

    When the file passes ``max_bytes`` it becomes ``path.1`` (``path.1`` becomes
    ``path.2``, …; the oldest beyond ``backups`` is deleted) and a new file
    starts with the header again, so every file reads on its own
    (``mailsim replay``, :meth:`Trace.load`) and a class that runs all day
    takes at most about ``(backups + 1) × max_bytes`` of disk.  Step numbers
    go on counting across files.  ``max_bytes`` 0 never rotates.
    """

    def __init__(self, path: str, trace, max_bytes: int = DEFAULT_MAX_BYTES,
                 backups: int = DEFAULT_BACKUPS) -> None:
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._header = trace.header()
        self._file = None
        self._open()
        trace.listeners.append(self.step)

    def _open(self) -> None:
        # Open for the server's lifetime (or until the next rotation); close() ends it.
        self._file = open(self.path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
        self._size = 0
        self._write(self._header)

    def step(self, step) -> None:
        self._write(step.to_dict())
        if self.max_bytes and self._size >= self.max_bytes and self._file is not None:
            self._rotate()

    def _write(self, data: dict[str, Any]) -> None:
        if self._file is None:
            return
        line = json.dumps(data, ensure_ascii=False) + "\n"
        try:
            self._file.write(line)
        except OSError:
            # A full disk must not take the clients' sessions down with it.
            log.exception("cannot write the trace to %s; no more steps go there", self.path)
            self.close()
            return
        self._size += len(line)         # characters: close enough to bytes for a limit

    def _rotate(self) -> None:
        self.close()
        try:
            names = [self.path] + [f"{self.path}.{n}" for n in range(1, self.backups + 1)]
            if os.path.exists(names[-1]):
                os.remove(names[-1])
            for older, newer in zip(reversed(names[1:]), reversed(names[:-1]), strict=True):
                if os.path.exists(newer):
                    os.replace(newer, older)
            self._open()
        except OSError:
            log.exception("cannot rotate the trace file %s; no more steps go there", self.path)
            self.close()

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
