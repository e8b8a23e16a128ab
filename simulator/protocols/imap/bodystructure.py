"""ENVELOPE, BODYSTRUCTURE and body sections, from the stdlib ``email`` parser.

RFC 3501 §7.4.2 / RFC 9051 §7.5.2: the server parses the message so the
client does not have to download it to learn its structure.  ENVELOPE is
the main header fields, already split into addresses; BODYSTRUCTURE is the
MIME tree (type, parameters, encoding, size of every part).  With them a
client shows the message list and the attachment names, then fetches only
the part the user opens — the point of IMAP on a slow link.

We parse with ``email.policy.compat32`` because IMAP wants header values
*as sent* (encoded words left encoded) and payloads as on the wire; the
stdlib keeps both.  Part numbers follow RFC 3501 §6.4.5: the parts of a
multipart are 1, 2, ...; a non-multipart message has one part, 1; the
parts of an encapsulated message/rfc822 are numbered inside it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .formatter import Raw, render
from .lexer import ParseError

if TYPE_CHECKING:
    from email.message import Message

# The stdlib email package is imported lazily: email.utils imports socket, and a
# protocol engine must load no network module (DESIGN.md §1).


@lru_cache(maxsize=1)
def _policy():
    import email.policy
    return email.policy.compat32.clone(linesep="\r\n")


def parse(data: bytes) -> Message:
    """The message as a compat32 tree: raw header values, payloads as on the wire."""
    import email
    return email.message_from_bytes(data, policy=_policy())


def split_header(data: bytes) -> tuple[bytes, bytes]:
    """Header (with its empty line) and body of an RFC 5322 message (§2.1)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return data, b""
    return data[:end + 4], data[end + 4:]


def _raw(value: str) -> bytes:
    return value.encode("ascii", "surrogateescape")


def _unfold(value: str | None) -> bytes | None:
    if value is None:
        return None
    return _raw(value).replace(b"\r\n", b"").replace(b"\n", b"")


# -- ENVELOPE -------------------------------------------------------------------

def envelope(msg: Message) -> list:
    """(date subject from sender reply-to to cc bcc in-reply-to message-id), RFC 3501 §7.4.2.

    Sender and Reply-To default to From when absent, as the RFC requires.
    """
    sender = _addresses(msg, "From")
    return [
        _unfold(msg.get("Date")), _unfold(msg.get("Subject")), sender,
        _addresses(msg, "Sender") or sender, _addresses(msg, "Reply-To") or sender,
        _addresses(msg, "To"), _addresses(msg, "Cc"), _addresses(msg, "Bcc"),
        _unfold(msg.get("In-Reply-To")), _unfold(msg.get("Message-ID")),
    ]


def _addresses(msg: Message, field: str) -> list | None:
    """Each address as (name adl mailbox host); NIL when the field is missing or empty."""
    from email.utils import getaddresses
    values = [str(v) for v in msg.get_all(field, [])]
    out = []
    for name, address in getaddresses(values):
        if not name and not address:
            continue
        local, _, host = address.rpartition("@") if "@" in address else (address, "", "")
        out.append([_raw(name) if name else None, None, _raw(local) if local else None,
                    _raw(host) if host else None])
    return out or None


# -- BODYSTRUCTURE ------------------------------------------------------------------

def body_structure(part: Message, extensible: bool = True) -> list:
    """BODYSTRUCTURE (``extensible``) or BODY of one part, recursively (RFC 3501 §7.4.2)."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        # RFC 3501 §9 body-type-mpart = 1*body SP media-subtype: no space between the parts
        children = Raw(b"".join(render(body_structure(p, extensible)) for p in part.get_payload()))
        out = [children, _raw(part.get_content_subtype())]
        if extensible:
            out += [_params(part), _disposition(part), None, None]
        return out
    return _leaf(part, extensible)


def _leaf(part: Message, extensible: bool) -> list:
    body = leaf_bytes(part)
    out = [_raw(part.get_content_maintype()), _raw(part.get_content_subtype()), _params(part),
           _unfold(part.get("Content-ID")), _unfold(part.get("Content-Description")),
           _raw(part.get("Content-Transfer-Encoding", "7bit").strip()), len(body)]
    if part.get_content_type() == "message/rfc822" and part.is_multipart():
        inner = part.get_payload()[0]
        out += [envelope(inner), body_structure(inner, extensible), _lines(body)]
    elif part.get_content_maintype() == "text":
        out.append(_lines(body))
    if extensible:
        out += [_unfold(part.get("Content-MD5")), _disposition(part), None, None]
    return out


def _params(part: Message) -> list | None:
    from email.utils import collapse_rfc2231_value
    params = part.get_params() or []
    pairs = [[_raw(k), _raw(str(collapse_rfc2231_value(v)))] for k, v in params[1:]]
    if not pairs and part.get_content_maintype() == "text":
        pairs = [[b"charset", b"us-ascii"]]    # RFC 2045 §5.2 default, made explicit
    return [x for pair in pairs for x in pair] or None


def _disposition(part: Message) -> list | None:
    value = part.get("Content-Disposition")
    if value is None:
        return None
    kind = value.split(";", 1)[0].strip()
    params = part.get_params(header="Content-Disposition") or []
    pairs = [x for k, v in params[1:] for x in (_raw(k), _raw(str(v)))]
    return [_raw(kind), pairs or None]


def _lines(body: bytes) -> int:
    return body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)


def leaf_bytes(part: Message) -> bytes:
    """The encoded body of a part exactly as on the wire (the parser keeps it verbatim)."""
    if part.is_multipart():
        return split_header(part.as_bytes(policy=_policy()))[1]
    payload = part.get_payload(decode=False)
    return _raw(payload) if isinstance(payload, str) else b""


def header_bytes(part: Message) -> bytes:
    """A part's header lines as received (folding kept) plus the empty line."""
    return b"".join(_raw(f"{k}: {v}\r\n") for k, v in part.items()) + b"\r\n"


# -- sections (RFC 3501 §6.4.5) -----------------------------------------------------

def find_part(msg: Message, path: list[int]) -> Message:
    """The part with number ``path`` (e.g. [1, 2] for "1.2"); ParseError if none."""
    part = msg
    for index in path:
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            part = part.get_payload()[0]
        children = part.get_payload() if part.is_multipart() else None
        if children is None or part.get_content_maintype() != "multipart":
            if index != 1:
                raise ParseError("syntax.no_such_part", part=".".join(map(str, path)))
            continue
        if not 1 <= index <= len(children):
            raise ParseError("syntax.no_such_part", part=".".join(map(str, path)))
        part = children[index - 1]
    return part


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
