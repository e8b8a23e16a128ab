"""The POP3 reply catalogue: every status line the server can say, in one place.

Each entry names a reply; its explanation text is ``pop3.reply.<name>`` in
the locale files.  Session code asks for a reply by name and parameters and
never writes a status string itself (the aiosmtpd lesson).  Response codes
in brackets follow RFC 2449 §8 ([IN-USE]) and RFC 3206 ([AUTH]).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OK, ERR = "+OK", "-ERR"

#: name -> (status, text template)
CATALOGUE: dict[str, tuple[str, str]] = {
    "greeting": (OK, "{host} POP3 server ready"),
    "greeting_apop": (OK, "{host} POP3 server ready {timestamp}"),
    "user_ok": (OK, "send PASS for {user}"),
    "login_ok": (OK, "{user}'s maildrop has {count} {count_messages} ({octets} octets)"),
    "auth_failed": (ERR, "[AUTH] invalid user name or password"),
    "too_many_failures": (ERR, "[AUTH] {failures} failed logins, closing the connection"),
    "in_use": (ERR, "[IN-USE] maildrop {maildrop} is locked by another session"),
    "plaintext_disabled": (ERR, "[AUTH] plain-text login is disabled here: use STLS first"),
    "apop_unavailable": (ERR, "APOP not available: the greeting carried no timestamp"),
    "stat": (OK, "{count} {octets}"),
    "list_all": (OK, "{count} {count_messages} ({octets} octets)"),
    "list_one": (OK, "{number} {size}"),
    "uidl_all": (OK, "unique-id listing follows"),
    "uidl_one": (OK, "{number} {uid}"),
    "retr": (OK, "{size} octets"),
    "top": (OK, "top of message follows"),
    "dele": (OK, "message {number} deleted"),
    "already_deleted": (ERR, "message {number} already deleted"),
    "no_such_message": (ERR, "no such message, only {count} {count_messages} in maildrop"),
    "bad_number": (ERR, "no such message: {arg!r} is not a message number"),
    "bad_arguments": (ERR, "{verb} takes {needed}"),
    "bad_lines": (ERR, "TOP: {arg!r} is not a number of lines"),
    "noop": (OK, ""),
    "rset": (OK, "maildrop has {count} {count_messages} ({octets} octets)"),
    "last": (OK, "{last}"),
    "capa": (OK, "Capability list follows"),
    "stls_ok": (OK, "Begin TLS negotiation"),
    "stls_again": (ERR, "TLS is already active"),
    "quit_auth": (OK, "{host} POP3 server signing off"),
    "quit_update": (OK, "{host} POP3 server signing off ({left} {left_messages} left)"),
    "quit_empty": (OK, "{host} POP3 server signing off (maildrop empty)"),
    "wrong_state": (ERR, "{verb} is not allowed in the {state} state (allowed: {allowed})"),
    "unknown_command": (ERR, "unknown command {verb!r}"),
    "line_too_long": (ERR, "line too long ({length} octets; at most 255 with CRLF)"),
    "empty_line": (ERR, "empty command line"),
    "control_char": (ERR, "control characters are not allowed in a command"),
}


#: What each command takes, for "bad_arguments" (RFC 1939 §9 summary).
ARG_SYNTAX: dict[str, tuple[int, int, str]] = {
    "USER": (1, 1, "one argument: a user name"),
    "PASS": (1, 1, "one argument: a password"),
    "APOP": (2, 2, "two arguments: a name and a digest"),
    "RETR": (1, 1, "one argument: a message number"),
    "DELE": (1, 1, "one argument: a message number"),
    "TOP": (2, 2, "two arguments: a message number and a number of lines"),
    "LIST": (0, 1, "at most one argument: a message number"),
    "UIDL": (0, 1, "at most one argument: a message number"),
}
NO_ARGS = (0, 0, "no arguments")


@dataclass(frozen=True)
class Reply:
    """A status line and, for multi-line replies, the already byte-stuffed block."""

    name: str
    ok: bool
    text: str
    block: bytes | None = None          # stuffed lines + ".\r\n", or None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def status_line(self) -> bytes:
        status = OK if self.ok else ERR
        sep = " " if self.text else ""
        return f"{status}{sep}{self.text}\r\n".encode()

    @property
    def wire(self) -> bytes:
        """Everything that goes on the wire for this reply."""
        return self.status_line + (self.block or b"")

    @property
    def explain(self) -> str:
        return f"pop3.reply.{self.name}"


def reply(name: str, *, block: bytes | None = None, **params: Any) -> Reply:
    """The catalogue reply ``name`` with its text filled from ``params``.

    A count is followed by ``message`` or ``messages`` as English wants it (RFC 1939's
    examples say "2 messages"; one is "1 message"): ``{count_messages}`` and
    ``{left_messages}`` in a template are filled from ``count`` and ``left``."""
    status, template = CATALOGUE[name]
    nouns = {f"{key}_messages": "message" if params[key] == 1 else "messages"
             for key in ("count", "left") if key in params}
    return Reply(name, status == OK, template.format(**params, **nouns), block, dict(params))
