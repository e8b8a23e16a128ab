"""Modified UTF-7, the IMAP4rev1 spelling of non-ASCII mailbox names (RFC 3501 §5.1.3).

IMAP4rev1 names are 7-bit.  A folder called «Входящие» travels as
``&BBIEPQQ+BDQETwRJBDgENQ-``: printable ASCII stands for itself, everything
else is UTF-16BE in base64 (with ``,`` instead of ``/`` and no ``=``
padding) between ``&`` and ``-``, and ``&`` itself is written ``&-``.
IMAP4rev2 (RFC 9051 §5.1) and UTF8=ACCEPT sessions send UTF-8 instead.

Each name has exactly one correct spelling: :func:`decode` refuses any other
(printable ASCII hidden in base64, a missing ``-``, two shifted runs in a
row, non-zero padding bits), so two different wire names never open the
same folder.
"""
from __future__ import annotations

import base64
import binascii
import re

_SHIFTED = re.compile(r"&([^-]*)-")


class EightBit(ValueError):
    """The name has 8-bit or control characters, which IMAP4rev1 names never contain."""


def _printable(char: str) -> bool:
    return "\x20" <= char <= "\x7e"


def encode(name: str) -> str:
    """The modified UTF-7 spelling of a Unicode mailbox name."""
    out, run = [], []

    def flush() -> None:
        if run:
            raw = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii")
            out.append("&" + raw.rstrip("=").replace("/", ",") + "-")
            run.clear()

    for char in name:
        if _printable(char):
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    return "".join(out)


def decode(wire: str) -> str:
    """The Unicode name of a modified UTF-7 spelling; ValueError if it is not the one
    correct spelling (RFC 3501 §5.1.3)."""
    if any(not _printable(c) for c in wire):
        raise EightBit("8-bit or control characters: IMAP4rev1 names are 7-bit")
    out, pos = [], 0
    for match in _SHIFTED.finditer(wire):
        out.append(wire[pos:match.start()])
        out.append(_unshift(match.group(1)))
        pos = match.end()
    tail = wire[pos:]
    if "&" in tail:
        raise ValueError("an '&' without its closing '-'")
    out.append(tail)
    name = "".join(out)
    if encode(name) != wire:
        raise ValueError("not the canonical modified UTF-7 spelling")
    return name


def _unshift(chunk: str) -> str:
    if not chunk:
        return "&"
    padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
    try:
        return base64.b64decode(padded, validate=True).decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"'&{chunk}-' is not base64 of UTF-16") from None
