"""``mailsim serve --trace FILE``: the live trace streamed as JSON lines.

The first line is the trace's header (the document of docs/trace-format.md
without ``steps``), then one step per line, written as it happens and
flushed line by line, so ``mailsim replay FILE``, ``Trace.load(FILE)`` and a
notebook's TracePlayer read it, even while the server still runs.  The file
holds every step (large bodies as references, see :class:`.live_trace.LiveTrace`),
rotated by size (``--trace-max-mb``); memory holds only the newest.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any

log = logging.getLogger("mailsim.server")


#: ``json.dumps(…, ensure_ascii=False)`` without making an encoder for every step.
_ENCODER = json.JSONEncoder(ensure_ascii=False)

#: The size at which the file is rotated, and how many old files are kept (FILE.1 … FILE.4).
DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_BACKUPS = 4


class TraceFile:
    """Appends each step of a LiveTrace to ``path``, rotated by size.

    When the file passes ``max_bytes`` it becomes ``path.1`` (``path.1`` becomes
    ``path.2``, …; the oldest beyond ``backups`` is deleted) and a new file
    starts with the header again, so every file reads on its own
    (``mailsim replay``, :meth:`Trace.load`) and a class that runs all day
    takes at most about ``(backups + 1) × max_bytes`` of disk.  Step numbers
    go on counting across files.  ``max_bytes`` 0 never rotates.  A file a
    previous run left at ``path`` is kept as ``path.1`` (a restart during a
    lesson loses nothing); its steps start again from 0, which is how a reader
    (:class:`TraceFollower`) tells a new run from a rotation.
    """

    def __init__(self, path: str, trace, max_bytes: int = DEFAULT_MAX_BYTES,
                 backups: int = DEFAULT_BACKUPS) -> None:
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._header = trace.header()
        self._file = None
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            self._shift()
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
        line = _ENCODER.encode(data) + "\n"
        try:
            self._file.write(line)
        except OSError:
            # A full disk must not take the clients' sessions down with it.
            log.exception("cannot write the trace to %s; no more steps go there", self.path)
            self.close()
            return
        self._size += len(line)         # characters: close enough to bytes for a limit

    def _shift(self) -> None:
        """``path`` becomes ``path.1``, ``path.1`` becomes ``path.2`` …; the oldest goes."""
        names = backup_names(self.path, self.backups)
        if os.path.exists(names[-1]):
            os.remove(names[-1])
        for older, newer in zip(reversed(names[1:]), reversed(names[:-1]), strict=True):
            if os.path.exists(newer):
                os.replace(newer, older)

    def _rotate(self) -> None:
        self.close()
        try:
            self._shift()
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


def backup_names(path: str, backups: int = DEFAULT_BACKUPS) -> list[str]:
    """``[path, path.1, …, path.N]``: the live file, then its rotated pieces, newest first."""
    return [path] + [f"{path}.{n}" for n in range(1, backups + 1)]


#: At most this many octets are read per call of :meth:`TraceFollower.read`.
READ_CHUNK = 8 << 20


class TraceFollower:
    """Reads the steps a running ``mailsim serve --trace FILE`` appends, as they come.

    Each :meth:`read` returns the steps (as :class:`~simulator.trace.Step`)
    written since the last call, up to about ``chunk`` octets of them: a
    teacher's view calls it on a timer and never blocks.  The file is opened
    for each read and closed again, so the server can rotate it on every OS.

    - A line without its line break is a step still being written: it waits
      for the next read.  A line that is not JSON is skipped and counted.
    - Rotation (:class:`TraceFile`) renames the file the follower was reading
      to ``FILE.1``: the follower finishes that one, then starts the new one.
    - The first read starts with the current run's rotated pieces (the
      newest ``FILE.N`` whose first step is number 0, and those after it);
      older runs kept as backups are not read.
    - A server restarted on the same path starts a new file numbered from 0;
      the steps then go on from there (readers see the index go back).
    """

    def __init__(self, path: str, backups: int = DEFAULT_BACKUPS,
                 chunk: int = READ_CHUNK) -> None:
        self.path, self.backups, self.chunk = str(path), backups, chunk
        self.skipped = 0
        self._queue: list[str] = self._current_run()    # files to read through, in order
        self._identity: tuple[int, int] | None = None
        self._offset = 0

    def _current_run(self) -> list[str]:
        """This run's rotated pieces, oldest first (the live file itself is read after)."""
        if _first_step_index(self.path) in (None, 0):
            return []                               # the run starts in the live file
        pieces = []
        for name in backup_names(self.path, self.backups)[1:]:
            first = _first_step_index(name)
            if first is None:
                break
            pieces.append(name)
            if first == 0:
                break
        return list(reversed(pieces))

    def read(self) -> list:
        """The steps written since the last call (at most about ``chunk`` octets of them)."""
        from ..trace import Step
        lines: list[str] = []
        budget = self.chunk
        while self._queue and budget > 0:           # the current run's older pieces
            text = self._read_from(self._queue[0], budget)
            lines += text
            budget -= sum(len(line) for line in text)
            if budget > 0:
                self._queue.pop(0)
                self._offset = 0
        if budget > 0 and not self._queue:
            lines += self._follow(budget)
        steps = []
        for line in lines:
            try:
                data = json.loads(line)
                if isinstance(data, dict) and "index" in data:
                    steps.append(Step.from_dict(data))
            except (ValueError, TypeError, KeyError):
                self.skipped += 1
        return steps

    def _follow(self, budget: int) -> list[str]:
        """New lines of the live file; after a rotation, the rest of the old one first."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return []                               # not there yet, or being rotated
        identity = (stat.st_dev, stat.st_ino)
        lines: list[str] = []
        if self._identity is not None and identity != self._identity:
            old = self._renamed(self._identity)
            if old is not None:
                lines = self._read_from(old, budget)
                budget -= sum(len(line) for line in lines)
                if budget <= 0:
                    return lines                    # the rest of it next time
            self._offset = 0
        elif stat.st_size < self._offset:
            self._offset = 0                        # the same file, truncated
        self._identity = identity
        return lines + self._read_from(self.path, budget)

    def _renamed(self, identity: tuple[int, int]) -> str | None:
        for name in backup_names(self.path, self.backups)[1:]:
            try:
                stat = os.stat(name)
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) == identity:
                return name
        return None

    def _read_from(self, name: str, budget: int) -> list[str]:
        """Whole lines of ``name`` from the offset, about ``budget`` octets; moves the offset."""
        try:
            with open(name, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read(budget)
        except OSError:
            return []
        end = data.rfind(b"\n") + 1
        self._offset += end
        return [line for line in data[:end].decode("utf-8", "replace").splitlines()
                if line.strip()]


def _first_step_index(name: str) -> int | None:
    """The number of the first step in a trace file (None: no such file, or no step)."""
    try:
        with open(name, encoding="utf-8", errors="replace") as handle:
            handle.readline()                       # the header
            data = json.loads(handle.readline() or "null")
    except (OSError, ValueError):
        return None
    return data.get("index") if isinstance(data, dict) else None
