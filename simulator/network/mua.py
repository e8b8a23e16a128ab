"""The MUA node: a user's mail client that composes and submits messages,
and reads mailboxes (its :class:`~simulator.network.reader.MailboxReader`).

Submission follows RFC 6409: port 587, STARTTLS (RFC 3207) when offered,
then AUTH (RFC 4954) with the user's password.  A client with no configured
``smtp_server`` finds it as a real one does at set-up time: the SRV record
``_submission._tcp`` of the user's domain (RFC 6186 §3.1).  The message itself is built
by the stdlib email package (:func:`simulator.mail.mime.compose`).
"""
from __future__ import annotations

from ..mail import mime, samples
from ..mail.binary import attachments_to_binary
from ..protocols.smtp import Envelope, Path, SMTPClient, parse_path
from ..scenarios.model import Host
from .context import NodeContext
from .ftp import FTPSessions
from .idn import a_label
from .mta import MX_PORT, SUBMISSION_PORT, SUBMISSIONS_PORT
from .reader import MailboxReader
from .relay import reencode_long_lines

#: Like Thunderbird, send text as 8bit (RFC 6152 8BITMIME) so that Cyrillic
#: stays readable in the trace; the client declares BODY=8BITMIME.
_ENCODING = "8bit"


class MUANode:
    """A mail client on a host; sends the scenario's messages at their time."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        self.smtp_server = (host.smtp_server or "").lower()
        self.user = host.user
        self.reader = MailboxReader(net, self.name)
        self.ftp = FTPSessions(net, self.name)
        #: sender address -> the bytes of the last message sent (for append_sent)
        self.sent = self.reader.sent

    def schedule(self, message) -> None:
        self.net.scheduler.at(message.at, self.submit, message)

    def schedule_session(self, session) -> None:
        """Read a mailbox at the session's time (POP3, POP2, IMAP), or use FTP."""
        if session.protocol == "ftp":
            self.ftp.schedule(session)
        else:
            self.reader.schedule(session)

    def submit(self, message) -> None:
        """Compose ``message`` and hand it to the outgoing server."""
        account = self.net.store.find(message.sender)
        server, port = self._submission_server(message.sender)
        if server is None:
            self.net.recorder.internal(self.name, "MUA", "not sent: no SRV record", "mua.failed",
                                       params={"reply": "_submission._tcp SRV: —"})
            return
        content = mime.compose(message.sender, list(message.to), message.subject, message.body,
                               date=self.net.now_datetime(), charset=message.charset,
                               sender_name=account.name if account else "",
                               message_id=message.message_id or self.net.new_message_id(self.name),
                               transfer_encoding=message.transfer_encoding or _ENCODING,
                               header_encoding=message.header_encoding,
                               in_reply_to=message.in_reply_to, references=message.references,
                               headers=message.headers,
                               attachments=_photo(message) + _files(message))
        if message.photo_encoding == "binary":
            content = attachments_to_binary(content)     # BINARYMIME (RFC 3030 §3)
        envelope = Envelope(mail_from=_path(message.mail_from) or Path(message.sender),
                            rcpt_to=[_path(r) for r in message.rcpt_to]
                            or [Path(a) for a in message.to],
                            content=content)
        self.net.recorder.internal(self.name, "MUA", f"compose: {message.subject}",
                                   "mua.compose", params={"subject": message.subject,
                                                          "to": ", ".join(message.to),
                                                          "server": server})
        if message.show_parts:
            self._record_parts(message, content)
        password = message.password if message.password is not None else (
            account.password if account else "")
        credentials = ((account.address, password)
                       if account and port in (SUBMISSION_PORT, SUBMISSIONS_PORT) else None)
        client = SMTPClient(self.name, envelope, credentials=credentials,
                            retries=message.retries if credentials else (),
                            starttls=port == SUBMISSION_PORT,
                            pipelining=self.net.settings.pipelining,
                            shorten_lines=reencode_long_lines)   # what MIME mail programs do
        self.net.connect(self.name, server, port, "SMTP", client,
                         on_close=lambda conn: self._finished(conn, message.sender, content))

    def _record_parts(self, message, content: bytes) -> None:
        """A step that lists the MIME parts with their octets before and after the transfer
        encoding (RFC 2045 §6): what SIZE= will count, and why a file grows in base64."""
        parts = mime.mime_tree(content)
        leaves = [p for p in parts if p.size is not None]
        notes = []
        text = next((p for p in leaves if p.content_type == "text/plain"), None)
        params = {"octets": len(content), "parts": len(leaves),
                  "summary": "; ".join(_part_summary(p) for p in leaves)}
        if text is not None and not message.body.isascii():
            notes.append("mua.mime_charset")
            params.update(charset=text.charset, chars=len(message.body.replace("\n", "\r\n")),
                          text_octets=text.size)
        if any(p.transfer_encoding == "base64" and p.filename for p in leaves):
            notes.append("mua.mime_base64")
        params["notes"] = notes
        self.net.recorder.internal(self.name, "MUA", f"MIME: {params['summary']}", "mua.mime",
                                   params=params)

    def _submission_server(self, sender: str) -> tuple[str | None, int]:
        """The outgoing server and port: the configured one, else RFC 6186 autoconfiguration.

        RFC 6186 §3.1 and RFC 8314 §5.1: ``_submissions._tcp.<domain>``
        (implicit TLS) or else ``_submission._tcp.<domain>`` names the host and port; the
        lowest priority wins, then the highest weight (RFC 2782; one fixed order keeps the
        trace reproducible).
        """
        if self.smtp_server:
            listens = self.net.listens(self.smtp_server, SUBMISSION_PORT)
            return self.smtp_server, SUBMISSION_PORT if listens else MX_PORT
        domain = a_label(sender.rpartition("@")[2])        # RFC 6531 §3.2: DNS gets A-labels
        for service in ("_submissions", "_submission"):     # implicit TLS first (RFC 8314 §5.1)
            lookup = self.net.dns.srv(service, "_tcp", domain)
            self.net.recorder.lookup(self.name, lookup)
            records = sorted((int(p), -int(w), int(port), host) for p, w, port, host in
                             (rdata.split() for rdata in lookup.rdata))
            if records and records[0][3] != ".":         # "." : the service is not offered
                _priority, _weight, port, host = records[0]
                return host.rstrip(".").lower(), port
        return None, 0

    def _finished(self, conn, sender: str, content: bytes) -> None:
        result = conn.client_engine.result
        ok = result.final is not None and result.final.is_positive
        if ok:
            self.sent[sender.lower()] = content     # what a mail program files in Sent
        self.net.recorder.internal(self.name, "MUA", "sent" if ok else "not sent",
                                   "mua.sent" if ok else "mua.failed",
                                   params={"reply": _reply_text(result.final or result.failure)})


def _photo(message) -> list[tuple[str, str, bytes]]:
    """A stand-in photo of ``photo_size`` octets (a big attachment; same bytes every run)."""
    if not message.photo_size:
        return []
    pattern = bytes(range(256))
    data = (pattern * (message.photo_size // 256 + 1))[:message.photo_size]
    return [("photo.jpg", "image/jpeg", data)]


def _files(message) -> list[tuple[str, str, bytes]]:
    """The scenario's ``attachments``: small real files, made anew (the same bytes every run)."""
    return [(name, "application/pdf", samples.tiny_pdf("mailsim")) if name.lower().endswith(".pdf")
            else (name, "image/png", samples.tiny_png()) for name in message.attachments]


def _part_summary(part: mime.Part) -> str:
    """``application/pdf «отчёт.pdf» base64 587 → 806`` (octets of content → on the wire)."""
    words = [part.content_type]
    if part.charset:
        words.append(part.charset)
    if part.filename:
        words.append(f"«{part.filename}»")
    words.append(f"{part.transfer_encoding} {part.size} → {part.wire_size}")
    return " ".join(words)


def _path(text: str | None) -> Path | None:
    """An envelope override as the scenario writes it: ``<…>``, or a bare ``user@host``."""
    if not text:
        return None
    return parse_path(text if text.lstrip().startswith("<") else f"<{text.strip()}>")


def _reply_text(reply) -> str:
    if reply is None:
        return "—"
    return " ".join(filter(None, [str(reply.code), reply.enhanced or "", " ".join(reply.lines)]))
