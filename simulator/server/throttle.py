"""Slowing down password guessing: a delay before each failed-login answer.

Every failed login makes the next failure on the same connection, and from
the same client address, wait longer before its answer goes out (Dovecot's
``auth_failure_delay`` and Postfix's anvil do the same).  The delay is an
``await`` in the connection's own task: the guessing client waits, every
other client goes on.  The answer itself stays the protocol's own (535
5.7.8, ``-ERR``, ``NO [AUTHENTICATIONFAILED]``, FTP's 530), only later.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..protocols.ftp.events import LoginFailed as FTPLoginFailed
from ..protocols.imap.events import CommandCompleted
from ..protocols.pop3.events import AuthenticationFailed
from ..protocols.smtp.events import AuthFailed

#: Seconds added per failure, and the most one answer ever waits.
DEFAULT_STEP = 1.0
DEFAULT_LIMIT = 15.0
#: Failures from one address count for this long (seconds), at most this many of them.
ADDRESS_WINDOW = 600.0
ADDRESS_MEMORY = 64
#: Addresses remembered at once: a scan of many sources cannot grow the table without bound.
MAX_ADDRESSES = 4096


@dataclass(frozen=True)
class Delay:
    """How long to hold one failed-login answer, and why (for the trace)."""

    seconds: float
    connection_failures: int
    address_failures: int


class LoginThrottle:
    """Failed logins per client address; one per server, shared by every protocol.

    ``step`` seconds per failure, at most ``limit``; ``step == 0`` turns the
    delay off.  ``clock`` is injectable for tests (monotonic seconds).
    """

    def __init__(self, step: float = DEFAULT_STEP, limit: float = DEFAULT_LIMIT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.step, self.limit, self._clock = step, limit, clock
        self._failures: dict[str, deque[float]] = {}

    def failed(self, address: str, connection_failures: int) -> Delay:
        """Count one more failure from ``address``; the delay before its answer."""
        recent = self._recent(address)
        recent.append(self._clock())
        failures = max(connection_failures, len(recent))
        seconds = min(self.limit, self.step * failures) if self.step > 0 else 0.0
        return Delay(seconds, connection_failures, len(recent))

    def _recent(self, address: str) -> deque[float]:
        now = self._clock()
        recent = self._failures.pop(address, None) or deque(maxlen=ADDRESS_MEMORY)
        while recent and now - recent[0] > ADDRESS_WINDOW:
            recent.popleft()
        if len(self._failures) >= MAX_ADDRESSES:
            self._failures.pop(next(iter(self._failures)))      # the least recently used
        self._failures[address] = recent                        # most recently used last
        return recent


def failed_logins(events: Iterable[Any]) -> int:
    """How many of an engine's events say a login attempt was refused.

    SMTP: AuthFailed with 535 (RFC 4954 §6; a cancelled exchange is no guess);
    POP3 and POP2: AuthenticationFailed for wrong credentials (RFC 1939 §7);
    IMAP: a tagged NO to LOGIN or AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3);
    FTP: a PASS answered 530 or 421 (RFC 959 §4.1.1).
    """
    count = 0
    for event in events:
        if isinstance(event, AuthFailed):
            count += event.reply.code == 535
        elif isinstance(event, AuthenticationFailed):
            count += event.reason in ("auth", "too-many")
        elif isinstance(event, CommandCompleted):
            count += event.name in ("LOGIN", "AUTHENTICATE") and event.status == "NO"
        elif isinstance(event, FTPLoginFailed):
            count += 1
    return count
