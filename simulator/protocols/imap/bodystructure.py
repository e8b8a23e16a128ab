"""ENVELOPE and BODYSTRUCTURE, from the stdlib ``email`` parser (RFC 3501 §7.4.2).

The server parses the message so the client does not have to download it
to learn its structure.  ENVELOPE is the main header fields, already split
into addresses; BODYSTRUCTURE is the MIME tree (type, parameters, encoding,
size of every part).  With them a client shows the message list and the
attachment names, then fetches only the part the user opens — the point of
IMAP on a slow link.

Headers are read by the stdlib parser with a compat32 policy that unfolds
(:func:`.mimeparts.policy`): IMAP wants values *as sent*, encoded words
left encoded.  Sizes and line counts are those of the octets as stored
(:mod:`.mimeparts`).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import addresses
from .formatter import Raw, render
from .mimeparts import Entity, entity, policy, split_header

if TYPE_CHECKING:
    from email.message import Message

# The stdlib email package is imported lazily: email.utils imports socket, and a
# protocol engine must load no network module (docs/architecture.md, "Layers").

__all__ = ["body_structure", "entity", "envelope", "header_fields", "parse", "split_header"]


def parse(data: bytes) -> Message:
    """The whole message as a stdlib tree (for SEARCH): raw header values, unfolded."""
    import email
    return email.message_from_bytes(data, policy=policy())


def _raw(value: str) -> bytes:
    return value.encode("ascii", "surrogateescape")


def _value(msg: Message, name: str) -> bytes | None:
    value = msg.get(name)
    return None if value is None else _raw(str(value).strip())


# -- ENVELOPE -------------------------------------------------------------------

def envelope(msg: Message) -> list:
    """(date subject from sender reply-to to cc bcc in-reply-to message-id), RFC 3501 §7.4.2.

    Sender and Reply-To default to From when absent or empty, as the RFC requires.
    """
    sender = _addresses(msg, "From")
    return [
        _value(msg, "Date"), _value(msg, "Subject"), sender,
        _addresses(msg, "Sender") or sender, _addresses(msg, "Reply-To") or sender,
        _addresses(msg, "To"), _addresses(msg, "Cc"), _addresses(msg, "Bcc"),
        _value(msg, "In-Reply-To"), _value(msg, "Message-ID"),
    ]


def _addresses(msg: Message, field: str) -> Raw | None:
    """Each address as (name adl mailbox host), groups kept; NIL when missing or empty.

    RFC 3501 §9 ``env-to = "(" 1*address ")" / nil``: the addresses follow one
    another with no space between them, unlike the items of other lists.
    """
    out = []
    for value in msg.get_all(field, []):
        for a in addresses.parse(str(value)):
            out.append([None if x is None else _raw(x) for x in (a.name, a.adl, a.mailbox, a.host)])
    return Raw(b"(" + b"".join(render(a) for a in out) + b")") if out else None


# -- BODYSTRUCTURE ------------------------------------------------------------------

def body_structure(part: Entity, extensible: bool = True) -> list:
    """BODYSTRUCTURE (``extensible``) or BODY of one entity, recursively (RFC 3501 §7.4.2)."""
    msg = part.msg
    if part.multipart:
        # RFC 3501 §9 body-type-mpart = 1*body SP media-subtype: no space between the parts
        children = Raw(b"".join(render(body_structure(p, extensible)) for p in part.parts))
        out = [children, _raw(_media_type(msg)[1])]
        if extensible:
            out += [_params(msg), _disposition(msg), _language(msg), _value(msg, "Content-Location")]
        return out
    return _leaf(part, extensible)


def _media_type(msg: Message) -> tuple[str, str]:
    """Type and subtype as sent when the stdlib finds them valid, else its default."""
    parsed = msg.get_content_type()
    sent = str(msg.get("Content-Type", "")).split(";", 1)[0].strip()
    chosen = sent if sent.lower() == parsed else parsed
    kind, _, sub = chosen.partition("/")
    return kind, sub


def _leaf(part: Entity, extensible: bool) -> list:
    msg, body = part.msg, part.body
    kind, sub = _media_type(msg)
    encoding = _value(msg, "Content-Transfer-Encoding") or b"7bit"
    out = [_raw(kind), _raw(sub), _params(msg), _value(msg, "Content-ID"),
           _value(msg, "Content-Description"), encoding, len(body)]
    if part.message is not None:
        inner = part.message
        out += [envelope(inner.msg), body_structure(inner, extensible), _lines(body)]
    elif kind.lower() == "text":
        out.append(_lines(body))
    if extensible:
        out += [_value(msg, "Content-MD5"), _disposition(msg), _language(msg),
                _value(msg, "Content-Location")]
    return out


def sent_params(value: str) -> list[tuple[str, str]]:
    """The ``;``-separated parameters of a header value, in order and as sent.

    Names are lower-cased (they are case-insensitive, RFC 2045 §5.1), as the
    stdlib parser and Dovecot do.
    RFC 2231 names (``name*``, ``name*0*``) and their percent-encoded values are
    kept as they are: IMAP passes body parameters through and leaves decoding to
    the client (RFC 3501 §7.4.2 body-fld-param).  Quoted values lose their quotes
    and backslash escapes (RFC 2045 §5.1); a piece without ``=`` is skipped.
    """
    out = []
    for match in _PARAM.finditer(value):
        name, quoted, token = match.group(1), match.group(2), match.group(3)
        text = re.sub(r"\\(.)", r"\1", quoted, flags=re.DOTALL) if quoted is not None else token
        out.append((name.lower(), text.strip() if quoted is None else text))
    return out


_PARAM = re.compile(r';\s*([^\s=;"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"?|([^;]*))', re.DOTALL)


def _params(msg: Message) -> list | None:
    """The Content-Type parameters; text/* without a charset says us-ascii (RFC 2045 §5.2).

    The implied charset comes after the parameters sent, as Dovecot writes it.
    """
    params = sent_params(str(msg.get("Content-Type", "")))
    pairs = [[_raw(k), _raw(v)] for k, v in params]
    if msg.get_content_maintype() == "text" and not any(k.lower() == "charset"
                                                        for k, _ in params):
        pairs.append([b"charset", b"us-ascii"])
    return [x for pair in pairs for x in pair] or None


def _disposition(msg: Message) -> list | None:
    """("type" (params)) from Content-Disposition (RFC 2183), NIL without one."""
    value = msg.get("Content-Disposition")
    if value is None:
        return None
    kind = str(value).split(";", 1)[0].strip()
    pairs = [x for k, v in sent_params(str(value)) for x in (_raw(k), _raw(v))]
    return [_raw(kind), pairs or None]


def _language(msg: Message) -> list | None:
    """Content-Language (RFC 3282) as a list of tags, NIL without one."""
    value = msg.get("Content-Language")
    tags = [t.strip() for t in str(value or "").split(",") if t.strip()]
    return [_raw(t) for t in tags] or None


def _lines(body: bytes) -> int:
    """Lines of a text or message body: its line breaks (RFC 3501 §7.4.2 body-fld-lines)."""
    return body.count(b"\n")


# -- sections (RFC 3501 §6.4.5) -----------------------------------------------------

def header_fields(header: bytes, names: list[str], keep: bool) -> bytes:
    """The header lines whose names are (``keep``) or are not in ``names``, plus CRLF."""
    wanted = {n.lower() for n in names}
    out, take = [], False
    for line in header.split(b"\r\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if take:
                out.append(line)
            continue
        name = line.split(b":", 1)[0].strip().decode("ascii", "replace").lower()
        take = (name in wanted) == keep
        if take:
            out.append(line)
    return b"".join(x + b"\r\n" for x in out) + b"\r\n"
