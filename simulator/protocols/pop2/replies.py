"""The POP2 reply catalogue (RFC 937): "+", "-", "#nn" counts and "=ccc" sizes.

Explanations are ``pop2.reply.<name>`` in the locale files.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: name -> (leading character, text template)
CATALOGUE: dict[str, tuple[str, str]] = {
    "greeting": ("+", "POP2 {host} server ready"),
    "count": ("#", "{count} messages in {folder}"),
    "size": ("=", "{size} octets in message {number}"),
    "no_message": ("=", "0 no message {number}"),
    "signoff": ("+", "{host} POP2 server signing off"),
    "auth_failed": ("-", "invalid user name or password, goodbye"),
    "in_use": ("-", "mailbox {maildrop} is locked by another session, goodbye"),
    "nothing_to_retr": ("-", "no message {number} to retrieve"),
    "bad_number": ("-", "READ: {arg!r} is not a message number"),
    "bad_arguments": ("-", "{verb} takes {needed}"),
    "wrong_state": ("-", "{verb} is not allowed in the {state} state (allowed: {allowed})"),
    "unknown_command": ("-", "unknown command {verb!r}"),
    "line_too_long": ("-", "line too long ({length} octets)"),
    "control_char": ("-", "control characters are not allowed in a command"),
}

ARG_SYNTAX: dict[str, tuple[int, int, str]] = {
    "HELO": (2, 2, "a user name and a password"),
    "FOLD": (1, 1, "a mailbox name"),
    "READ": (0, 1, "at most one message number"),
}
NO_ARGS = (0, 0, "no arguments")


@dataclass(frozen=True)
class Reply:
    """One POP2 reply line; RETR's message text travels separately."""

    name: str
    lead: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lead != "-"

    @property
    def wire(self) -> bytes:
        """The reply line as it goes on the wire (RFC 937)."""
        sep = "" if self.lead in "#=" else " "
        return f"{self.lead}{sep}{self.text}\r\n".encode()

    @property
    def explain(self) -> str:
        return f"pop2.reply.{self.name}"


def reply(name: str, **params: Any) -> Reply:
    lead, template = CATALOGUE[name]
    return Reply(name, lead, template.format(**params), dict(params))
