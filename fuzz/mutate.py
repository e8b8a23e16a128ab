"""Byte-level mutations of a well-formed command line, and random splits of a stream.

Every mutation is a function ``(line, rng) -> bytes`` over a
:class:`random.Random`.  The socket fuzzer passes a seeded Random; the
hypothesis tests pass ``st.randoms()``, whose draws hypothesis controls and
shrinks, so one vocabulary of mutations serves both.

The mutations are the ways real clients and hostile ones break a protocol:
a flipped bit, a NUL, 8-bit bytes where ASCII is expected, a bare LF or CR
(RFC 5321 §2.3.8), a line far over the limit (RFC 5321 §4.5.3.1.4, RFC 2449
§4), an IMAP literal whose count is wrong or huge (RFC 3501 §4.3), deep
parenthesis nesting, a line cut short or repeated.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from itertools import pairwise

#: Sizes of "huge" lines: just over each protocol's limit, and far over it.
HUGE_SIZES = (256, 513, 1001, 8193, 70_000)

#: Literal counts that lie: too small, too big, absurd, negative, not a number.
LYING_COUNTS = (b"0", b"1", b"9", b"65537", b"4294967296", b"99999999999999999999",
                b"-1", b"x", b"", b"1+", b"007")

#: Bytes that are not printable ASCII.
ODD_BYTES = (b"\x00", b"\xff", b"\x80", b"\xc3", b"\xc3\xa9", b"\xe2\x82\xac", b"\x1b",
             b"\x7f", b"\r", b"\n", b"\t", b"\xf0\x9f\x93\xa7", b"\xed\xa0\x80")


def _body(line: bytes) -> tuple[bytes, bytes]:
    """(line without its CRLF, the CRLF) so mutations keep the line end by default."""
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def flip_bit(line: bytes, rng: random.Random) -> bytes:
    if not line:
        return line
    at = rng.randrange(len(line))
    return line[:at] + bytes([line[at] ^ (1 << rng.randrange(8))]) + line[at + 1:]


def insert_odd_byte(line: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(line) + 1)
    return line[:at] + rng.choice(ODD_BYTES) + line[at:]


def bare_line_end(line: bytes, rng: random.Random) -> bytes:
    body, _ = _body(line)
    return body + rng.choice((b"\n", b"\r", b"\r\r\n", b""))


def huge_line(line: bytes, rng: random.Random) -> bytes:
    body, end = _body(line)
    size = rng.choice(HUGE_SIZES)
    return body + b" " + (rng.choice((b"A", b"(", b"\xc3\xa9", b"\"")) * size)[:size] + end


def lying_literal(line: bytes, rng: random.Random) -> bytes:
    body, end = _body(line)
    plus = rng.choice((b"", b"+"))
    return body + b" {" + rng.choice(LYING_COUNTS) + plus + b"}" + end + rng.randbytes(
        rng.randrange(12))


def deep_nesting(line: bytes, rng: random.Random) -> bytes:
    body, end = _body(line)
    depth = rng.choice((2, 50, 1000, 5000))
    opener = rng.choice((b"(", b"[", b"NOT ", b"OR ALL ", b"BODY["))
    return body + b" " + opener * depth + end


def truncate(line: bytes, rng: random.Random) -> bytes:
    return line[: rng.randrange(len(line) + 1)]


def repeat(line: bytes, rng: random.Random) -> bytes:
    return line * rng.randrange(2, 5)


def random_bytes(line: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randrange(1, 40)) + rng.choice((b"\r\n", b"\n", b""))


def swap_case(line: bytes, rng: random.Random) -> bytes:
    return line.swapcase()


MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    flip_bit, insert_odd_byte, bare_line_end, huge_line, lying_literal, deep_nesting,
    truncate, repeat, random_bytes, swap_case)


def mutate(line: bytes, rng: random.Random, *, times: int = 1) -> bytes:
    """``line`` with ``times`` random mutations applied one after the other."""
    for _ in range(times):
        line = rng.choice(MUTATIONS)(line, rng)
    return line


def maybe_mutate(line: bytes, rng: random.Random, rate: float) -> bytes:
    """``line`` mutated (one to three times) with probability ``rate``, else unchanged."""
    if rng.random() >= rate:
        return line
    return mutate(line, rng, times=rng.choice((1, 1, 1, 2, 3)))


def split(data: bytes, rng: random.Random, *, max_chunks: int = 8) -> list[bytes]:
    """``data`` cut at random points (how TCP may deliver it); never an empty chunk."""
    if len(data) < 2:
        return [data] if data else []
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1,
                                                      rng.randrange(max_chunks))))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]
