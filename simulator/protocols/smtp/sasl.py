"""SASL mechanisms PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) for SMTP AUTH.

SMTP carries SASL as base64 lines (RFC 4954 §4): the server sends
``334 <base64 challenge>``, the client answers with one base64 line, until the
server says 235 (success) or 535 (failure).  A client line ``*`` cancels.
Base64 is an encoding, not encryption: without TLS anyone on the path can
read the password, which is why submission servers want STARTTLS first.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ..sasl_plain import MalformedPlain, decode_plain

USERNAME_PROMPT = base64.b64encode(b"Username:").decode()   # "VXNlcm5hbWU6"
PASSWORD_PROMPT = base64.b64encode(b"Password:").decode()   # "UGFzc3dvcmQ6"


@dataclass(frozen=True)
class Challenge:
    """Send ``334 <text>`` and wait for another response line."""

    text: str


@dataclass(frozen=True)
class Credentials:
    """The exchange is complete: check these."""

    username: str
    password: str
    authzid: str = ""         # PLAIN only: who the client wants to act as (RFC 4616 §2)


@dataclass(frozen=True)
class Cancelled:
    """The client sent ``*`` (RFC 4954 §4)."""


@dataclass(frozen=True)
class Malformed:
    """The response was not valid base64 or not a valid PLAIN message."""

    reason: str


Step = Challenge | Credentials | Cancelled | Malformed


def b64decode_text(line: str) -> str:
    """Decode one base64 response line as UTF-8; raises ValueError."""
    try:
        return base64.b64decode(line.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not base64 UTF-8 text: {exc}") from None


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class PlainServer:
    """RFC 4616: one message ``authzid NUL authcid NUL passwd``, with or without
    an initial response (RFC 4954 §4: ``=`` stands for an empty one)."""

    mechanism = "PLAIN"

    def start(self, initial: str | None) -> Step:
        if initial is None:
            return Challenge("")
        return self.respond("" if initial == "=" else initial)

    def respond(self, line: str) -> Step:
        if line.strip() == "*":
            return Cancelled()
        try:
            message = decode_plain(line)
        except MalformedPlain as exc:
            return Malformed(exc.reason)
        return Credentials(message.authcid, message.password, message.authzid)


class LoginServer:
    """The LOGIN mechanism: prompt ``Username:`` then ``Password:`` (both base64)."""

    mechanism = "LOGIN"

    def __init__(self) -> None:
        self.username: str | None = None

    def start(self, initial: str | None) -> Step:
        if initial is None:
            return Challenge(USERNAME_PROMPT)
        return self.respond(initial)

    def respond(self, line: str) -> Step:
        if line.strip() == "*":
            return Cancelled()
        try:
            text = b64decode_text(line)
        except ValueError as exc:
            return Malformed(str(exc))
        if self.username is None:
            self.username = text
            return Challenge(PASSWORD_PROMPT)
        return Credentials(self.username, text)


SERVER_MECHANISMS = {"PLAIN": PlainServer, "LOGIN": LoginServer}


def plain_initial_response(username: str, password: str) -> str:
    """The PLAIN message with an empty authorization identity (RFC 4616 §2)."""
    return b64(f"\0{username}\0{password}")
