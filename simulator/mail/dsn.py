"""Delivery status notifications (RFC 3464) built with the stdlib ``email`` package.

A DSN is what an MTA sends back to the reverse path when it cannot deliver
(or has delayed, relayed...) a message: a multipart/report (RFC 6522) of
three parts, a text for people, a machine-readable message/delivery-status
part with a block of fields per recipient (RFC 3464 §2.2, §2.3), and the
original's header section.  About an SMTPUTF8 message the report uses the
"global" types of RFC 6533 instead, in 8bit, so that UTF-8 addresses and
header fields travel as they are.
"""
from __future__ import annotations

import email.utils
import io
import re
import textwrap
from collections.abc import Sequence
from datetime import datetime
from email.generator import BytesGenerator
from email.message import EmailMessage, Message, MIMEPart

from simulator.locale import t
from simulator.mail.mime import (
    COMPOSE_POLICY,
    EAI_COMPOSE_POLICY,
    EAI_WIRE_POLICY,
    WIRE_POLICY,
    _finish,
    _msgid,
    is_eai,
)

DSN_ACTIONS = ("failed", "delayed", "delivered", "relayed", "expanded")   # RFC 3464 §2.3.3


def build_dsn(*, reporting_mta: str, original: bytes, recipients: Sequence[tuple[str, str, str]],
              action: str, date: datetime, message_id: str, to: str, postmaster: str) -> bytes:
    """A delivery status notification (RFC 3464) as wire bytes.

    multipart/report; report-type=delivery-status (RFC 6522): a text for
    people, a message/delivery-status part per recipient ``(address,
    status "5.1.1", diagnostic "550 5.1.1 ...")``, and the original headers
    (text/rfc822-headers).  Send it with an empty reverse path ``MAIL
    FROM:<>`` so that it can never bounce back (RFC 5321 §4.5.5).
    """
    if action not in DSN_ACTIONS:
        raise ValueError(f"action must be one of {DSN_ACTIONS}, got {action!r}")
    # RFC 6533 §4: a DSN about an SMTPUTF8 message uses the global types, in 8bit (§4.4).
    eai = is_eai(to, *(a for a, _, _ in recipients)) or not _header_section(original).isascii()
    msg = EmailMessage(policy=EAI_COMPOSE_POLICY if eai else COMPOSE_POLICY)
    msg["From"] = email.utils.formataddr(("Mail Delivery System", postmaster))
    msg["To"] = to
    msg["Subject"] = t(f"mail.dsn.subject.{action}", "en")
    msg["Date"] = email.utils.format_datetime(date)
    msg["Message-ID"] = _msgid(message_id)
    msg["Auto-Submitted"] = "auto-replied"      # RFC 3834 §5: no auto-replies to this one
    # quoted-printable keeps the English half readable even in the raw bytes of the trace
    msg.set_content(_human_text(action, reporting_mta, recipients), charset="utf-8",
                    cte="quoted-printable")
    msg.make_mixed()
    msg.set_type("multipart/report")
    # RFC 6522 §3: report-type names the subtype of the second part.
    msg.set_param("report-type", "global-delivery-status" if eai else "delivery-status")
    msg.attach(_status_part(reporting_mta, recipients, action, date, eai))
    msg.attach(_returned_headers(original, eai))
    _finish(msg, message_id)
    if not eai:
        return msg.as_bytes(policy=WIRE_POLICY)
    out = io.BytesIO()
    _GlobalGenerator(out, policy=EAI_WIRE_POLICY).flatten(msg)
    return out.getvalue()


def diagnostic_code(text: str) -> str:
    """The Diagnostic-Code value: ``smtp;`` once before a server's reply (RFC 3464
    §2.3.6), a private ``X-mailsim;`` type before anything else (a DNS error)."""
    if re.match(r"[2-5]\d\d(?:[ -]|$)", text):
        return f"smtp; {text}"
    return f"X-mailsim; {text}"


def _human_text(action: str, reporting_mta: str, recipients: Sequence[tuple[str, str, str]]) -> str:
    """The human-readable first part, in English and then Russian."""
    texts = []
    for lang in ("en", "ru"):
        # wrapped at 72 so quoted-printable needs no soft line breaks in the English half
        lines = [textwrap.fill(t(f"mail.dsn.body.{action}", lang, mta=reporting_mta), 72), ""]
        lines += [t("mail.dsn.recipient", lang, address=a.strip("<>"), status=s, diagnostic=d)
                  for a, s, d in recipients]
        texts.append("\n".join(lines))
    return "\n\n".join(texts) + "\n"


def _status_part(reporting_mta: str, recipients: Sequence[tuple[str, str, str]],
                 action: str, date: datetime, eai: bool = False) -> MIMEPart:
    """The machine-readable message/delivery-status part (RFC 3464 §2.2, §2.3); for an
    SMTPUTF8 message message/global-delivery-status, with the ``utf-8`` address type for
    non-ASCII addresses (RFC 6533 §3, §4.1)."""
    policy = EAI_COMPOSE_POLICY if eai else COMPOSE_POLICY
    blocks = [Message(policy=policy)]
    blocks[0]["Reporting-MTA"] = f"dns; {reporting_mta}"
    blocks[0]["Arrival-Date"] = email.utils.format_datetime(date)
    for address, status, diagnostic in recipients:
        block = Message(policy=policy)
        kind = "rfc822" if address.isascii() else "utf-8"
        block["Final-Recipient"] = f"{kind}; {address.strip('<>')}"
        block["Action"] = action
        block["Status"] = status
        block["Diagnostic-Code"] = diagnostic_code(diagnostic)
        blocks.append(block)
    part = MIMEPart(policy=policy)
    part["Content-Type"] = "message/global-delivery-status" if eai else "message/delivery-status"
    part.set_payload(blocks)
    return part


def _header_octets(original: bytes) -> bytes:
    """The original's header section with ``\\n`` line ends, without the blank line."""
    return original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]


def _header_section(original: bytes) -> str:
    return _header_octets(original).decode("utf-8", "replace") + "\n"


def _returned_headers(original: bytes, eai: bool) -> MIMEPart:
    """The original's header section: text/rfc822-headers, or message/global-headers in
    8bit for an SMTPUTF8 message (RFC 6533 §4.3, §4.4)."""
    if not eai:
        headers = MIMEPart(policy=COMPOSE_POLICY)
        headers.set_content(_header_section(original), subtype="rfc822-headers",
                            charset="utf-8")
        return headers
    headers = MIMEPart(policy=EAI_COMPOSE_POLICY)
    headers["Content-Type"] = "message/global-headers"
    headers["Content-Transfer-Encoding"] = "8bit"
    head = _header_octets(original).replace(b"\n", b"\r\n")
    headers.set_payload((head + b"\r\n").decode("ascii", "surrogateescape"))   # octets as sent
    return headers


class _GlobalGenerator(BytesGenerator):
    """Writes RFC 6533's global types, which the stdlib generator would take for
    message/rfc822: the status fields like message/delivery-status, the returned header
    octets as they are."""

    def _handle_message_global_delivery_status(self, msg: Message) -> None:
        self._handle_message_delivery_status(msg)

    def _handle_message_global_headers(self, msg: Message) -> None:
        self._handle_text(msg)
