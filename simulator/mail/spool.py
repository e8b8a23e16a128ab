"""The MTA's relay queue on disk (``mailsim serve --maildir``): nothing accepted is lost.

RFC 5321 §6.1: once the server has said 250 to the final dot it is
responsible for the message, "even if it crashes".  Local deliveries are on
disk before that 250 (:mod:`.maildir_store`); a message for another domain
waits in the relay queue, sometimes for hours of retries (§4.5.4.1).  So each
queue entry is written here too, the way Maildir delivers: the content and the
envelope go to ``tmp/``, are fsync'd, and the envelope's rename into the spool
directory is the commit.  A restart reads every committed entry back and the
MTA tries it again; an entry is removed once it was relayed or bounced.

An entry on disk is two files named after it: ``NAME.eml`` (the message, as
it will be sent) and ``NAME.json`` (sender, recipients, next hop, attempts
and the last error).  A ``.eml`` without its ``.json`` was never committed
and is removed on load.
"""
from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path
from typing import Any

from .maildir_store import _fsync_dir

_counter = itertools.count()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class Spool:
    """A directory of queue entries: ``save`` (add or update), ``remove``, ``load``."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def new_name(self, queue_id: str) -> str:
        return f"{queue_id}.{time.time_ns()}.{next(_counter)}.{os.getpid()}"

    def save(self, name: str, envelope: dict[str, Any], content: bytes | None) -> None:
        """Commit an entry; ``content`` None keeps the message already there (an update)."""
        if content is not None:
            tmp = self.root / "tmp" / f"{name}.eml"
            _write(tmp, content)
            os.replace(tmp, self.root / f"{name}.eml")
        tmp = self.root / "tmp" / f"{name}.json"
        _write(tmp, json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, self.root / f"{name}.json")        # the commit
        _fsync_dir(self.root)

    def remove(self, name: str) -> None:
        """Forget an entry: the envelope first, so a crash between leaves no live entry."""
        (self.root / f"{name}.json").unlink(missing_ok=True)
        (self.root / f"{name}.eml").unlink(missing_ok=True)
        _fsync_dir(self.root)

    def load(self) -> list[tuple[str, dict[str, Any], bytes]]:
        """Every committed entry, oldest first: (name, envelope, content)."""
        entries = []
        for path in sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime_ns):
            name = path.stem
            try:
                envelope = json.loads(path.read_text(encoding="utf-8"))
                content = (self.root / f"{name}.eml").read_bytes()
            except (OSError, ValueError):
                continue            # unreadable: left in place for the operator to look at
            entries.append((name, envelope, content))
        committed = {name for name, _, _ in entries} | {p.stem for p in
                                                         self.root.glob("*.json")}
        for orphan in self.root.glob("*.eml"):
            if orphan.stem not in committed:
                orphan.unlink(missing_ok=True)
        for leftover in (self.root / "tmp").iterdir():
            leftover.unlink(missing_ok=True)
        return entries

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*.json"))
