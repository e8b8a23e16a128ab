"""An FTP user's files in a folder on disk (``mailsim serve --maildir ROOT``).

The engine names files by virtual paths that :func:`simulator.protocols.ftp.resolve`
has already kept inside the user's tree (no ``..`` above the root, no control
characters).  This store maps them below ``ROOT/ftp/<account>/`` and checks
once more on the real path, so that a symbolic link placed in the folder
cannot lead outside it either.  A name the file system refuses (too long,
say) is a file that does not exist or cannot be stored, never a crash.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ..protocols.ftp import Entry

#: Uploads in progress are written beside their target under this prefix, then renamed.
UPLOAD_PREFIX = ".upload-"


def account_folder(address: str) -> str:
    """The folder name of an account's tree: its address (the domain lower-cased, as the
    Maildir store names its folders), or a digest if the address cannot be one path part."""
    local, at, domain = address.strip().rpartition("@")
    key = f"{local}@{domain.lower()}" if at else domain       # RFC 5321 §2.4
    if key in ("", ".", "..") or any(c in key for c in "/\\\0:") or len(key) > 200:
        return "account-" + hashlib.sha256(key.encode()).hexdigest()[:20]
    return key


class DiskFiles:
    """One user's tree: a folder; directories and files are the folder's own."""

    def __init__(self, root: Path, first: tuple[str, ...] = ()) -> None:
        """``first``: folders a new tree starts with (made only when ``root`` is new)."""
        if not root.exists():
            for name in first:
                (root / name).mkdir(parents=True, exist_ok=True)
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()

    def _real(self, path: str) -> Path | None:
        try:
            real = (self.root / path.lstrip("/")).resolve()
        except (OSError, RuntimeError):         # a symlink loop, a name too long
            return None
        inside = real == self.root or self.root in real.parents
        return real if inside else None

    def entry(self, path: str) -> Entry | None:
        real = self._real(path)
        if real is None:
            return None
        try:
            stat = real.stat()
            is_dir = real.is_dir()
        except OSError:
            return None
        name = real.name if real != self.root else "/"
        return Entry(name, is_dir, 0 if is_dir else stat.st_size,
                     datetime.fromtimestamp(stat.st_mtime, UTC))

    def listing(self, path: str) -> list[Entry]:
        real = self._real(path)
        try:
            names = sorted(os.listdir(real)) if real is not None else []
        except OSError:
            return []
        found = (self.entry(f"{path.rstrip('/')}/{name}") for name in names
                 if not name.startswith(UPLOAD_PREFIX))
        return [entry for entry in found if entry is not None]

    def read(self, path: str) -> bytes:
        real = self._real(path)
        return real.read_bytes() if real is not None else b""

    def write(self, path: str, data: bytes) -> str | None:
        """Write to a temporary file beside the target, then rename: a reader never sees
        half a file, and an upload that fails leaves the old one."""
        real = self._real(path)
        if real is None:
            return "outside your home directory"
        try:
            if not real.parent.is_dir():
                return "no such directory"
            if real.is_dir():
                return "a directory has that name"
            handle, temporary = tempfile.mkstemp(dir=real.parent, prefix=UPLOAD_PREFIX)
        except OSError as exc:
            return exc.strerror or "write failed"
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, real)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            return exc.strerror or "write failed"
        return None
