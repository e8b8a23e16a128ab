"""Server responses and the catalogue of status texts (RFC 3501 §7, RFC 9051 §7).

Three kinds of server line exist:

* **tagged** (``a001 OK ...``): the completion of the command with that
  tag — OK, NO (failed) or BAD (not understood);
* **untagged** (``* ...``): data or status that is *not* tied to a command.
  The server may say it because a command asked for it (``* 3 EXISTS`` in
  answer to SELECT) or on its own (another session added a message), so the
  client must be ready for any untagged response at any time (§7);
* **continuation requests** (``+ ...``): "go on" — send the literal, or the
  next step of an AUTHENTICATE exchange, or (in IDLE) "I am listening".

Every status line comes from :data:`CATALOGUE` by name; its explanation is
``imap.reply.<name>`` in the locale files.  Untagged data lines are built by
the command modules and explained as ``imap.data.<KIND>``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import mutf7

OK, NO, BAD, BYE, PREAUTH = "OK", "NO", "BAD", "BYE", "PREAUTH"

#: name -> (status, text template; a response code in [brackets] comes first)
CATALOGUE: dict[str, tuple[str, str]] = {
    "greeting": (OK, "[CAPABILITY {caps}] {host} IMAP4rev1 server ready"),
    "bye_logout": (BYE, "{host} IMAP server terminating connection"),
    "bye_too_long": (BYE, "[TOOBIG] command line too long ({length} octets, limit {limit})"),
    "bye_literal_too_big": (BYE, "[TOOBIG] literal of {size} octets over the limit of {limit}"),
    "bye_too_many_errors": (BYE, "too many protocol errors, closing the connection"),
    "bye_mailbox_gone": (BYE, "Mailbox {mailbox} was deleted or renamed; please log in again"),
    "bye_server_fault": (BYE, "[SERVERBUG] internal server error, closing the connection"),
    "completed": (OK, "{name} completed"),
    "login_ok": (OK, "[CAPABILITY {caps}] Logged in"),
    "auth_failed": (NO, "[AUTHENTICATIONFAILED] Invalid credentials"),
    "authz_failed": (NO, "[AUTHORIZATIONFAILED] Not authorized to act as that identity"),
    "auth_cancelled": (BAD, "AUTHENTICATE cancelled"),
    "auth_mechanism": (NO, "Unsupported authentication mechanism {mechanism}"),
    "auth_bad_response": (BAD, "Invalid SASL response"),
    "login_disabled": (NO, "[PRIVACYREQUIRED] Plaintext login is disabled before STARTTLS"),
    "starttls_ok": (OK, "Begin TLS negotiation now"),
    "starttls_again": (BAD, "TLS is already active"),
    "logout_ok": (OK, "LOGOUT completed"),
    "enable_ok": (OK, "ENABLE completed"),
    "select_ok": (OK, "[{mode}] {name} completed"),
    "no_mailbox": (NO, "[NONEXISTENT] Mailbox {mailbox} does not exist"),
    "no_mailbox_trycreate": (NO, "[TRYCREATE] Mailbox {mailbox} does not exist"),
    "mailbox_exists": (NO, "[ALREADYEXISTS] Mailbox {mailbox} already exists"),
    "inbox_delete": (NO, "INBOX cannot be deleted"),
    "has_children": (NO, "[INUSE] Mailbox {mailbox} has inferior hierarchical names"),
    "mailbox_name_empty_level": (NO, "[CANNOT] Invalid mailbox name: a hierarchy level is empty"),
    "mailbox_name_bad_char": (NO, "[CANNOT] Invalid mailbox name: {char} is not allowed"),
    "mailbox_name_too_deep": (NO, "[LIMIT] Mailbox name has {levels} levels, at most {limit}"),
    "mailbox_name_too_long": (NO, "[LIMIT] Mailbox name too long: {octets} octets, max {limit}"),
    "mailbox_not_mutf7": (NO, "[CANNOT] Mailbox name is not modified UTF-7 (RFC 3501 5.1.3)"),
    "mailbox_8bit": (NO, "[CANNOT] Mailbox name is not modified UTF-7 (RFC 3501 5.1.3)"),
    "over_quota": (NO, "[OVERQUOTA] Quota exceeded: {mailbox} cannot take {size} more octets"),
    "store_failed": (NO, "[UNAVAILABLE] The mail store failed: {detail}"),
    "append_ok": (OK, "[APPENDUID {uidvalidity} {uid}] APPEND completed"),
    "copy_ok": (OK, "[COPYUID {uidvalidity} {source} {target}] {name} completed"),
    "copy_none": (OK, "{name} completed: no messages"),
    "move_ok": (OK, "{name} completed"),
    "expunge_issued": (NO, "[EXPUNGEISSUED] Some messages were expunged by another session"),
    "read_only": (NO, "[READ-ONLY] Mailbox is read-only (EXAMINE)"),
    "bad_syntax": (BAD, "Syntax error: {detail}"),
    "bad_tag": (BAD, "Invalid tag {tag!r}: a tag may not contain ( ) {{ % * \" \\ + or spaces"),
    "unknown_command": (BAD, "Unknown command {name}"),
    "tag_in_use": (BAD, "Tag {tag} is already in use by a command in progress"),
    "wrong_state": (BAD, "{name} is not allowed in the {state} state"),
    "server_fault": (NO, "[SERVERBUG] internal server error; the session goes on"),
    "literal_too_big": (NO, "[TOOBIG] Literal of {size} octets is over the limit of {limit}"),
    "idle_expected_done": (BAD, "Expected DONE to end IDLE"),
    "no_permission": (NO, "[NOPERM] {detail}"),
    "unknown_cte": (NO, "[UNKNOWN-CTE] Cannot decode content transfer encoding {encoding}"),
    # untagged status lines
    "exists_unseen": (OK, "[UNSEEN {unseen}] First unseen"),
    "uidvalidity": (OK, "[UIDVALIDITY {uidvalidity}] UIDs valid"),
    "uidnext": (OK, "[UIDNEXT {uidnext}] Predicted next UID"),
    "permanentflags": (OK, "[PERMANENTFLAGS ({flags})] Flags permitted"),
    "closed": (OK, "[CLOSED] Previous mailbox closed"),
    "copyuid_untagged": (OK, "[COPYUID {uidvalidity} {source} {target}] Moved UIDs"),
}

#: continuation request texts
CONTINUATIONS: dict[str, str] = {
    "literal": "Ready for literal data",
    "idle": "idling",
    "authenticate": "",
}


@dataclass(slots=True)
class Response:
    """One server line (or line plus literals), with what a student should read about it.

    Treated as a value: nothing changes a Response once made (:func:`tagged` and the
    others make new ones).  It is not a frozen dataclass because those cost four times
    as much to make, and the server makes one for every line (FETCH 1:* one a message).
    """

    kind: str                     # "tagged", "untagged", "continuation"
    wire: bytes
    explain: str
    params: Mapping[str, Any] = field(default_factory=dict)
    tag: str | None = None
    status: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (OK, PREAUTH)


def _text(reply: str, params: Mapping[str, Any]) -> tuple[str, str]:
    status, template = CATALOGUE[reply]
    if "mailbox" in params:     # a client's name in the text: 7-bit, one line (RFC 3501 §5.1.3)
        params = {**params, "mailbox": mutf7.encode(str(params["mailbox"]))}
    return status, template.format(**params)


def tagged(tag: str, reply: str, /, **params: Any) -> Response:
    """The completion result of command ``tag`` (RFC 3501 §7.1)."""
    status, text = _text(reply, params)
    wire = f"{tag} {status} {text}\r\n".encode()
    return Response("tagged", wire, f"imap.reply.{reply}", params, tag, status)


def untagged_status(reply: str, /, **params: Any) -> Response:
    """``* OK|NO|BAD|BYE ...``: status not tied to a command (RFC 3501 §7.1)."""
    status, text = _text(reply, params)
    wire = f"* {status} {text}\r\n".encode()
    return Response("untagged", wire, f"imap.reply.{reply}", params, None, status)


def data(kind: str, payload: bytes, /, **params: Any) -> Response:
    """``* <payload>``: server data such as EXISTS, FETCH, LIST (RFC 3501 §7.2-§7.4)."""
    return Response("untagged", b"* " + payload + b"\r\n", f"imap.data.{kind}", params)


def continuation(kind: str, /, **params: Any) -> Response:
    """``+ text``: the server is ready for more from the client (RFC 3501 §7.5)."""
    text = CONTINUATIONS[kind].format(**params)
    wire = f"+ {text}\r\n".encode() if text else b"+ \r\n"
    return Response("continuation", wire, f"imap.cont.{kind}", params)
