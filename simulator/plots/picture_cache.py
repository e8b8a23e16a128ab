"""State pictures kept on disk, so that a fresh notebook does not draw them again.

Drawing a state diagram (Graphviz's layout, matplotlib's SVG with text as
paths) takes a few hundred milliseconds; a console shows a new one after
most commands, a player after a language switch.  Within a process
:func:`.state_diagram.state_svg` keeps each picture once drawn; this module
keeps them across processes, in ``$XDG_CACHE_HOME/mailsim/pictures`` (else
``~/.cache/mailsim/pictures``), one file per picture.

A file's name is the SHA-256 of everything that decides the picture: what
is drawn (the protocol's table, every text in the chosen language, the
highlighted state and arrow) and the code and tools that draw it (the
plots package's source, matplotlib's version, the ``dot`` program).  A
change to any of them gives another name, so a stale picture is never
shown.  ``MAILSIM_PICTURE_CACHE=FOLDER`` puts the pictures elsewhere,
``MAILSIM_PICTURE_CACHE=off`` turns the disk cache off; a folder that
cannot be read or written only costs the drawing.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import matplotlib


def cache_dir() -> Path | None:
    """The folder for kept pictures, or None when the disk cache is off."""
    chosen = os.environ.get("MAILSIM_PICTURE_CACHE", "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mailsim" / "pictures"


@cache
def _tools() -> str:
    """The code and programs that draw: this package's source, matplotlib, dot."""
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    views = Path(__file__).parent.parent / "views.py"         # the highlight colours
    digest.update(views.read_bytes())
    dot = shutil.which("dot")
    if dot is not None:
        stat = os.stat(dot)
        digest.update(f"{dot} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def key(*what: object) -> str:
    """The file name of the picture that ``what`` (every input of the drawing) decides."""
    digest = hashlib.sha256(_tools().encode())
    digest.update(repr(what).encode())
    return digest.hexdigest() + ".svg"


def read(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Keep ``data`` under ``name``, atomically (several kernels may draw at once)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as part:
            part.write(data)
        os.replace(part.name, folder / name)
    except OSError:
        pass                # a read-only home: the picture is drawn again next time
