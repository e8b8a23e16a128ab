"""The SASL PLAIN message (RFC 4616), shared by IMAP AUTHENTICATE and SMTP AUTH.

The client sends one base64 message ``[authzid] NUL authcid NUL passwd``:

- *authcid*, the authentication identity, is whose password it is;
- *authzid*, the authorization identity, is who the client wants to *act as*
  once logged in.  Empty means "myself".

RFC 4616 §2: the server verifies the password of authcid and then "MUST
fail" unless authcid is allowed to act as authzid.  A server that silently
ignored authzid would log ``alice\\0student\\0pw`` in as student while the
client believes it is alice; mailsim has no proxy rights at all, so the only
authzid it grants is the user's own identity.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass


class MalformedPlain(ValueError):
    """Not a PLAIN message; ``reason`` says why in English (for logs and tests)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class PlainMessage:
    """The three fields of a PLAIN message (RFC 4616 §2)."""

    authzid: str
    authcid: str
    password: str


def decode_plain(b64: bytes | str) -> PlainMessage:
    """Decode one base64 PLAIN response; ``=`` is the empty response (RFC 4954 §4, RFC 4959 §3).

    Raises :class:`MalformedPlain` if it is not base64, not UTF-8 (RFC 4616 §2:
    every field is UTF-8), not exactly three NUL-separated fields, or if the
    authcid or password is empty (``authcid = 1*SAFE``, ``passwd = 1*SAFE``).
    """
    raw = b64.encode("ascii", "replace") if isinstance(b64, str) else b64
    raw = raw.strip()
    try:
        decoded = b"" if raw == b"=" else base64.b64decode(raw, validate=True)
        fields = decoded.decode("utf-8").split("\0")
    except (binascii.Error, UnicodeDecodeError):
        raise MalformedPlain("not base64-encoded UTF-8 text") from None
    if len(fields) != 3:
        raise MalformedPlain(f"PLAIN needs authzid NUL authcid NUL password, got {len(fields)} "
                             "field(s)")
    authzid, authcid, password = fields
    if not authcid or not password:
        raise MalformedPlain("PLAIN needs a non-empty authcid and password")
    return PlainMessage(authzid, authcid, password)


def may_act_as(authzid: str, authcid: str, address: str | None = None) -> bool:
    """Whether the user who proved ``authcid`` may act as ``authzid`` (RFC 4616 §2).

    Allowed: an empty authzid, the authcid itself, or the account's full
    ``address`` (the domain compared without case, RFC 5321 §2.4).  Nothing
    else: mailsim grants nobody the right to act as another user.
    """
    if authzid in ("", authcid):
        return True
    return address is not None and _address_key(authzid) == _address_key(address)


def _address_key(address: str) -> str:
    local, at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}" if at else address
