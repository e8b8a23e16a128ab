"""IMAP literals typed in the console: when the student's lines are message data, not commands.

RFC 9051 §4.3: a string may be sent as a literal, ``{N}`` at the end of a
line followed by exactly N octets.  With a synchronising literal ``{N}`` the
client waits for the server's ``+`` continuation before sending the octets;
with a non-synchronising one ``{N+}`` (RFC 7888, LITERAL+) it sends them at
once.  APPEND always carries the message as a literal.  In the console every
typed line is sent with CRLF, so each line counts ``len(line) + 2`` octets;
a literal that ends right before a line's CRLF lets that CRLF end the command
(``A1 APPEND INBOX {5}`` then ``hello``).  :class:`LiteralTracker` follows
this from the lines alone, so both the simulated and the live console know
whether the next typed line belongs to a literal and how many octets are left.
"""
from __future__ import annotations

import re

_LITERAL = re.compile(r"\{(\d+)(\+?)\}$")


class LiteralTracker:
    """Whether the student is typing literal data, and how many octets remain."""

    def __init__(self) -> None:
        self.left = 0               # octets of the literal still to type
        self.size = 0               # the literal's announced size
        self.waiting_plus = False   # a synchronising literal waits for "+" (RFC 9051 §7.5)

    @property
    def collecting(self) -> bool:
        """True while typed lines are literal octets."""
        return self.left > 0

    @property
    def busy(self) -> bool:
        """True while the command is not complete (a literal announced or being typed)."""
        return self.collecting or self.waiting_plus

    def client_line(self, line: str) -> None:
        """The student sent ``line`` (+ CRLF)."""
        if self.collecting:
            octets = len(line.encode("utf-8")) + 2
            rest = line.encode("utf-8")[self.left:].decode("utf-8", "replace") \
                if octets - 2 > self.left else ""
            self.left = max(0, self.left - octets)
            if self.left or not rest:
                return
            line = rest                 # the command goes on after the literal
        found = _LITERAL.search(line)
        if found:
            self.size = int(found.group(1))
            if found.group(2):          # LITERAL+: no "+" to wait for
                self.left = self.size
            else:
                self.waiting_plus = True

    def server_line(self, line: str) -> None:
        """The server said ``line``: a ``+`` opens the literal, a tagged reply refuses it."""
        if not self.waiting_plus:
            return
        self.waiting_plus = False
        if line.startswith("+"):
            self.left = self.size

    def reset(self) -> None:
        self.left = self.size = 0
        self.waiting_plus = False
