"""The ``messages`` section: what the mail clients write and send (``docs/scenarios.md``).

Besides the envelope and the text, a message may carry its own SMTP AUTH
password (a wrong one gets a real ``535 5.7.8``; a list is what the user
typed at each prompt), a ``message_id`` that later messages answer with
``in_reply_to`` / ``references`` (RFC 5322 §3.6.4), extra ``headers``, and
the encodings: ``transfer_encoding`` of the body (RFC 2045 §6) and
``header_encoding`` of the encoded words (RFC 2047 §4); ``attachments`` (file
names ending in .pdf or .png: real sample files, RFC 2183) and ``show_parts``
(the mail program records the MIME parts with their sizes in the trace).  The message itself
is built at run time by :func:`simulator.mail.mime.compose`.
"""
from __future__ import annotations

import re

from yaml.nodes import Node

from simulator.scenarios.loader_nodes import HOSTNAME, Checker, HostRefs
from simulator.scenarios.model import Message

CHARSETS = ("utf-8", "koi8-r", "windows-1251")
TRANSFER_ENCODINGS = ("7bit", "8bit", "quoted-printable", "base64")
HEADER_ENCODINGS = ("B", "Q")
#: How the photo travels: base64 (RFC 2045 §6.8) or as raw octets (BINARYMIME, RFC 3030 §3).
PHOTO_ENCODINGS = ("base64", "binary")
MESSAGE_KEYS = ("at", "client", "from", "to", "subject", "body", "charset",
                "mail_from", "rcpt_to", "photo_size", "photo_encoding", "password",
                "message_id", "headers", "in_reply_to", "references", "transfer_encoding",
                "header_encoding", "attachments", "show_parts")
#: The files a message can attach: the simulator makes a small real one of each kind
#: (simulator.mail.samples), named as the scenario says.
ATTACHMENT_KINDS = (".pdf", ".png")
#: Header fields the message composes itself -> the key that sets them.
OWN_HEADERS = {"from": "from", "to": "to", "subject": "subject", "date": "at",
               "message-id": "message_id", "in-reply-to": "in_reply_to",
               "references": "references", "mime-version": "body",
               "content-type": "charset", "content-transfer-encoding": "transfer_encoding"}

# Plausible, not RFC 5322 complete: a local part without spaces or brackets, an
# @ and a dotted domain.  \w lets Cyrillic through, for the SMTPUTF8 lessons.
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[\w-]+(\.[\w-]+)*\.?$")
# An SMTP path (RFC 5321 §4.1.2, RFC 821 §4.1.2 for the route): <>, an address,
# <address>, or <@h1,@h2:address>.
_ROUTE = re.compile(r"^@[\w.-]+(,@[\w.-]+)*:")
#: RFC 5322 §3.6.4 msg-id: "<" id-left "@" id-right ">" (the brackets may be left out).
_MSG_ID = re.compile(r"^<?([!#-;=?-~]+@[!#-;=?-~]+)>?$")
#: RFC 5322 §3.6.8 field name: printable ASCII except the colon.
_FIELD_NAME = re.compile(r"^[!-9;-~]+$")


def build_message(c: Checker, node: Node, number: int, refs: HostRefs,
                  earlier: list[Message]) -> Message:
    """One item of ``messages``; ``earlier`` are the ones above it (the thread so far)."""
    f = c.mapping(node, "messages", f"messages #{number}", MESSAGE_KEYS,
                  required=("client", "from", "to"))
    client = c.matching(f["client"][1], "client", HOSTNAME, "hostname")
    refs.add(f["client"][1], "client", client)
    to = tuple(c.matching(n, "to", ADDRESS, "address") for n in c.listed(f, "to"))
    if not to:
        c.fail(f["to"][1], "empty_list", key="to")
    passwords = _passwords(c, f)
    in_reply_to = tuple(_msg_id(c, n, "in_reply_to") for n in c.listed(f, "in_reply_to"))
    message = Message(
        at=c.get(f, "at", "number", 0.0), client=client,
        sender=c.matching(f["from"][1], "from", ADDRESS, "address"), to=to,
        subject=c.get(f, "subject", "text", ""), body=c.get(f, "body", "text", ""),
        charset=_charset(c, f["charset"][1]) if "charset" in f else "utf-8",
        mail_from=_path(c, f["mail_from"][1], "mail_from") if "mail_from" in f else None,
        rcpt_to=tuple(_path(c, n, "rcpt_to") for n in c.listed(f, "rcpt_to")),
        photo_size=c.get(f, "photo_size", "positive_int", 0),
        attachments=tuple(_attachment(c, n) for n in c.listed(f, "attachments")),
        show_parts=c.get(f, "show_parts", "bool", False),
        photo_encoding=(c.choice(f["photo_encoding"][1], "photo_encoding", PHOTO_ENCODINGS)
                        if "photo_encoding" in f else "base64"),
        password=passwords[0] if passwords else None, retries=passwords[1:],
        message_id=_own_id(c, f, earlier), headers=_headers(c, f),
        in_reply_to=in_reply_to,
        references=(tuple(_msg_id(c, n, "references") for n in c.listed(f, "references"))
                    or _thread(in_reply_to, earlier)),
        transfer_encoding=(c.choice(f["transfer_encoding"][1], "transfer_encoding",
                                    TRANSFER_ENCODINGS) if "transfer_encoding" in f else None),
        header_encoding=_header_encoding(c, f))
    _check_charset(c, f, message)
    _check_seven_bit(c, f, message)
    return message


def _attachment(c: Checker, node: Node) -> str:
    """A file name such as ``отчёт.pdf`` (Cyrillic welcome: RFC 2231 carries it)."""
    name = c.value(node, "attachments", "text").strip()
    if not name.lower().endswith(ATTACHMENT_KINDS) or "/" in name or len(name) > 120:
        c.fail(node, "attachment", key="attachments", got=c.show(node),
               allowed=", ".join(ATTACHMENT_KINDS))
    return name


def _passwords(c: Checker, f: dict) -> tuple[str, ...]:
    """``password: x`` or a list: the password typed at each AUTH attempt, in order."""
    nodes = c.listed(f, "password")
    if "password" in f and not nodes:
        c.fail(f["password"][1], "empty_list", key="password")
    return tuple(c.value(n, "password", "text") for n in nodes)


def _msg_id(c: Checker, node: Node, key: str) -> str:
    """A message id, always written back with its angle brackets."""
    match = _MSG_ID.match(c.value(node, key, "text").strip())
    if not match:
        c.fail(node, "msg_id", key=key, got=c.show(node))
    return f"<{match.group(1)}>"


def _own_id(c: Checker, f: dict, earlier: list[Message]) -> str | None:
    if "message_id" not in f:
        return None
    node = f["message_id"][1]
    own = _msg_id(c, node, "message_id")
    if any(m.message_id == own for m in earlier):
        c.fail(node, "duplicate_msg_id", key="message_id", got=c.show(node))
    return own


def _thread(in_reply_to: tuple[str, ...], earlier: list[Message]) -> tuple[str, ...]:
    """References when the file gives none (RFC 5322 §3.6.4): the parent's References
    (or its single In-Reply-To), then the parent's id; a parent outside the file
    leaves just the ids it answers."""
    if len(in_reply_to) != 1:
        return in_reply_to
    parent = next((m for m in earlier if m.message_id == in_reply_to[0]), None)
    if parent is None:
        return in_reply_to
    before = parent.references or (parent.in_reply_to if len(parent.in_reply_to) == 1 else ())
    return (*before, in_reply_to[0])


def _headers(c: Checker, f: dict) -> tuple[tuple[str, str], ...]:
    """``headers: {X-Course: Networks, Reply-To: ...}``: one-line fields the message
    does not compose itself (From, Subject, ... have their own keys)."""
    if "headers" not in f:
        return ()
    fields = c.mapping(f["headers"][1], "headers", "headers", None)
    out = []
    for name, (key_node, value_node) in fields.items():
        if not _FIELD_NAME.match(name):
            c.fail(key_node, "header_name", key="headers", got=f"'{name}'")
        if name.lower() in OWN_HEADERS:
            c.fail(key_node, "header_own", key="headers", got=f"'{name}'",
                   use=OWN_HEADERS[name.lower()])
        value = c.scalar(value_node)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)             # "X-Priority: 3" is meant as text
        if not isinstance(value, str) or "\n" in value or "\r" in value:
            c.fail(value_node, "header_value", key=name, got=c.show(value_node))
        out.append((name, value))
    return tuple(out)


def _header_encoding(c: Checker, f: dict) -> str | None:
    if "header_encoding" not in f:
        return None
    node = f["header_encoding"][1]
    value = c.scalar(node)
    if isinstance(value, str) and value.strip().upper() in HEADER_ENCODINGS:
        return value.strip().upper()
    return c.choice(node, "header_encoding", HEADER_ENCODINGS)


def _path(c: Checker, node: Node, key: str) -> str:
    """An envelope path as written (kept verbatim: the lessons show it on the wire)."""
    value = c.value(node, key, "text")
    inner = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    if inner == "" and value == "<>" and key == "mail_from":
        return value                       # the null reverse path of a bounce
    if not ADDRESS.match(_ROUTE.sub("", inner, count=1)):
        c.fail(node, "path", key=key, got=c.show(node))
    return value


def _charset(c: Checker, node: Node) -> str:
    """A charset name in any case (KOI8-R, koi8-r: RFC 2046 §4.1.2), as its canonical name."""
    value = c.scalar(node)
    if isinstance(value, str) and value.strip().lower() in CHARSETS:
        return value.strip().lower()
    return c.choice(node, "charset", CHARSETS)


def _check_charset(c: Checker, f: dict, message: Message) -> None:
    """Cyrillic fits KOI8-R and Windows-1251, but an emoji does not: say so here."""
    texts = [message.subject, message.body, *(value for _, value in message.headers)]
    try:
        "".join(texts).encode(message.charset)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        node = f["charset"][1] if "charset" in f else f["from"][1]
        c.fail(node, "charset", key="charset", got=f"'{message.charset}'", char=f"'{bad}'")


def _check_seven_bit(c: Checker, f: dict, message: Message) -> None:
    """7bit means ASCII lines (RFC 2045 §2.7): Cyrillic needs 8bit, QP or base64."""
    if message.transfer_encoding == "7bit" and not message.body.isascii():
        c.fail(f["transfer_encoding"][1], "seven_bit", key="transfer_encoding")
