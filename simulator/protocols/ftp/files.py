"""The files an FTP server offers: a tree of directories and files behind one interface.

The engine sees a user's files as a :class:`FileStore` (the backend pattern
of the POP3 maildrop): absolute *virtual* paths such as ``/pub/readme.txt``,
resolved by :func:`resolve` so that no path leaves the user's root.
:class:`MemoryFiles` keeps them in memory (scenarios); ``mailsim serve`` may
keep them in a folder on disk (``simulator.server.ftp_files``).
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True)
class Entry:
    """One name in a directory: a file with its octets, or a directory."""

    name: str
    is_dir: bool
    size: int
    modified: datetime


class FileStore(Protocol):
    """One user's tree of files, by absolute virtual path (``/`` is the root)."""

    def entry(self, path: str) -> Entry | None: ...

    def listing(self, path: str) -> list[Entry]: ...

    def read(self, path: str) -> bytes: ...

    def write(self, path: str, data: bytes) -> str | None:
        """Store ``data`` (stamped with the store's own clock); None when done, else why
        not, as a short English reason."""


class Outside(ValueError):
    """A path that climbs above the root (``..`` too many times)."""


class BadName(ValueError):
    """A path holding NUL or another control character."""


def resolve(cwd: str, arg: str) -> str:
    """The absolute virtual path ``arg`` names from ``cwd`` (RFC 959 §4.1.1 "pathname").

    ``/x`` starts at the user's root, not at the host's: an FTP server shows
    each user a tree of its own, so ``/etc/passwd`` is just a name that does
    not exist there.  ``..`` may go up to the root and never above it.
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in arg):
        raise BadName(arg)
    joined = arg if arg.startswith("/") else posixpath.join(cwd, arg)
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise Outside(arg)
            parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


class MemoryFiles:
    """A tree in memory: ``{"/pub/readme.txt": b"..."}``; directories follow from the paths."""

    def __init__(self, files: dict[str, bytes] | None = None, *,
                 when: datetime | None = None, dirs: tuple[str, ...] = (),
                 clock: Callable[[], datetime] | None = None) -> None:
        """``when``: the files' time; ``clock``: the time of a file stored later."""
        self.when = when or datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
        self.clock = clock or (lambda: self.when)
        self.files: dict[str, tuple[bytes, datetime]] = {}
        self.dirs: set[str] = {"/"}
        for path in dirs:
            self._add_dirs(resolve("/", path))
        for path, data in (files or {}).items():
            path = resolve("/", path)
            self._add_dirs(posixpath.dirname(path))
            self.files[path] = (bytes(data), self.when)

    def _add_dirs(self, path: str) -> None:
        while path != "/":
            self.dirs.add(path)
            path = posixpath.dirname(path)

    def entry(self, path: str) -> Entry | None:
        name = posixpath.basename(path) or "/"
        if path in self.dirs:
            return Entry(name, True, 0, self.when)
        if path in self.files:
            data, when = self.files[path]
            return Entry(name, False, len(data), when)
        return None

    def listing(self, path: str) -> list[Entry]:
        names = {posixpath.basename(p) for p in (*self.dirs, *self.files)
                 if p != "/" and posixpath.dirname(p) == path}
        return [e for e in (self.entry(posixpath.join(path, n)) for n in sorted(names)) if e]

    def read(self, path: str) -> bytes:
        return self.files[path][0]

    def write(self, path: str, data: bytes) -> str | None:
        parent = posixpath.dirname(path)
        if parent not in self.dirs:
            return "no such directory"
        if path in self.dirs:
            return "a directory has that name"
        self.files[path] = (bytes(data), self.clock())
        return None
