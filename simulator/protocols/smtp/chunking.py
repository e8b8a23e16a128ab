"""BDAT chunks (RFC 3030 §2): the command's arguments and the reading of its octets.

``BDAT <size> [LAST]`` is followed at once by exactly ``size`` octets of
message data: no 354 in between, no dot-stuffing, no end marker to scan for.
The server answers only after the octets, and it must read and throw away the
octets of a BDAT it refuses (RFC 3030 §2), or it would take them for commands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .replies import Reply

_BDAT = re.compile(r"^(\d{1,20})(?: (LAST))?$", re.IGNORECASE)
_BINARY_CTE = re.compile(rb"^content-transfer-encoding:[ \t]*binary[ \t]*\r?$",
                         re.IGNORECASE | re.MULTILINE)

#: How many octets the client puts in one BDAT (RFC 3030 leaves it to the sender; §2
#: advises a size that fits the bandwidth, since errors come only after a chunk).
CHUNK_SIZE = 16 * 1024


def is_binary(content: bytes) -> bool:
    """Whether ``content`` is binary MIME that only BODY=BINARYMIME may carry (RFC 3030 §3):
    a part labelled ``Content-Transfer-Encoding: binary``, or NUL octets, which neither
    7bit nor 8bit data may hold (RFC 2045 §2.7, §2.8)."""
    if b"\0" in content:
        return True
    # The header field names "binary" (in any case): looking for the word first spares
    # the whole-message regex search for almost every message, which has no such field.
    lowered = content.lower()
    return b"binary" in lowered and _BINARY_CTE.search(lowered) is not None


def chunks(content: bytes, size: int = CHUNK_SIZE) -> list[bytes]:
    """``content`` cut into BDAT chunks of at most ``size`` octets (at least one chunk)."""
    return [content[i:i + size] for i in range(0, len(content), size)] or [b""]


@dataclass(frozen=True)
class ChunkSize:
    """The parsed argument of BDAT: ``bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ]``."""

    size: int
    last: bool


def parse_bdat(argument: str) -> ChunkSize | None:
    """``"86 LAST"`` → ChunkSize(86, True); None when it is not RFC 3030 §2 syntax."""
    match = _BDAT.match(argument)
    if match is None:
        return None
    return ChunkSize(int(match.group(1)), match.group(2) is not None)


class ChunkReader:
    """Reads exactly ``size`` octets, keeping at most ``keep`` of them (memory stays bounded).

    ``answer`` is the reply decided when the BDAT line was read; it goes out
    once the octets are in (RFC 3030 §2: never before).
    """

    def __init__(self, chunk: ChunkSize, answer: Reply, keep: int) -> None:
        self.chunk = chunk
        self.answer = answer
        self.data = bytearray()
        self.kept_all = True             # False: more octets came than ``keep``
        self._keep = keep
        self._missing = chunk.size
        self._rest = bytearray()

    @property
    def done(self) -> bool:
        return self._missing == 0

    def feed(self, data: bytes) -> None:
        """Take what belongs to the chunk; what follows it waits for :meth:`take_rest`."""
        if self.done:
            self._rest += data
            return
        mine, rest = data[:self._missing], data[self._missing:]
        self._missing -= len(mine)
        room = self._keep - len(self.data)
        self.data += mine[:max(room, 0)]
        self.kept_all = self.kept_all and len(mine) <= room
        self._rest += rest

    def take_rest(self) -> bytes:
        rest = bytes(self._rest)
        self._rest.clear()
        return rest
