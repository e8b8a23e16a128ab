"""The MTA node: receives mail over SMTP (25, and 587 for submission), queues
it, delivers locally through the MDA or relays it to the next hop.

Routing follows RFC 5321 §5.1 (MX records, implicit MX) or, in the
historical "honour" mode, the RFC 821 §3.6 source route: a relay removes
itself from the front of the forward path and adds itself to the front of
the reverse path.  Every accepted message gets a Received: header (RFC 5321
§4.4) and is either delivered or bounced to its reverse path — never dropped.
"""
from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from ..mail import mime
from ..mail.dsn import build_dsn
from ..mail.store import NoSuchUser, QuotaExceeded, StoreError
from ..protocols.sasl_plain import may_act_as
from ..protocols.smtp import Envelope, Handler, Path, Reply, ServerConfig, SMTPServer
from ..scenarios.model import Host
from .context import NodeContext
from .idn import a_label
from .relay import EXPIRED, QueueEntry, Relay, cause_notes
from .result import Bounce
from .service import Service

if TYPE_CHECKING:      # the checks load pyspf, dkimpy, … only for hosts that use them
    from .dkim_check import DKIMKey
    from .sender_auth import Verdict

SUBMISSION_PORT = 587
SUBMISSIONS_PORT = 465         # submission over implicit TLS (RFC 8314 §3.3)
MX_PORT = 25


class MTANode(Service):
    """A mail transfer agent (and, with the 'mda' role, the final delivery)."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        self.domains = tuple(a_label(d) for d in host.domains)
        self.submission = host.submission
        self.max_message_size = host.max_message_size
        self.extensions_off = frozenset(host.extensions_off)
        self.extensions_on = frozenset(host.extensions_on)
        self.backup_for = tuple(a_label(d) for d in host.backup_for)
        self.checks_senders = host.sender_auth
        self.open_relay_until = host.open_relay_until
        self.forwards = {local.lower(): target for local, target in host.forwards}
        self.dkim_keys = self._publish_dkim_keys(host.dkim_selector)
        self.relay = Relay(self)

    def _publish_dkim_keys(self, selector: str | None) -> dict[str, DKIMKey]:
        """A key per mail domain, made now and published in its zone (RFC 6376 §3.6.2.1)."""
        if not selector:
            return {}
        from . import dkim_check
        keys = {}
        for domain in self.domains:
            key = dkim_check.make_key(domain, selector, self.net.rng.getrandbits(64))
            self.net.dns.publish_txt(key.record_name, key.record)
            keys[domain] = key
        return keys

    # -- what the node is -----------------------------------------------------
    def ports(self) -> tuple[int, ...]:
        return (MX_PORT, SUBMISSIONS_PORT, SUBMISSION_PORT) if self.submission else (MX_PORT,)

    def is_me(self, host: str) -> bool:
        return host.lower().rstrip(".") == self.name

    def is_final_for(self, domain: str) -> bool:
        """``domain`` is ours, written with U-labels (пример.рф) or A-labels (RFC 5890)."""
        return a_label(domain) in self.domains

    def is_backup_for(self, domain: str) -> bool:
        """A secondary MX of ``domain``: it takes the domain's mail to pass it on (RFC 5321 §5.1)."""
        return a_label(domain) in self.backup_for

    @property
    def mail_domain(self) -> str:
        return self.domains[0] if self.domains else self.name.split(".", 1)[-1]

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> SMTPServer:
        """A fresh SMTP server engine for one incoming connection."""
        limits = {"max_message_size": self.max_message_size} if self.max_message_size else {}
        submission = port in (SUBMISSION_PORT, SUBMISSIONS_PORT)
        config = ServerConfig(hostname=self.name, source_routes=self.net.settings.source_routes,
                              starttls=port == SUBMISSION_PORT, offer_auth=submission,
                              auth_required=submission, extensions_off=self.extensions_off,
                              extensions_on=self.extensions_on,
                              **limits)
        engine = SMTPServer(config, self.session_handler(port, peer), peer=peer)
        engine.secure = port == SUBMISSIONS_PORT      # the connection began with TLS
        return engine

    def session_handler(self, port: int, peer: str, kind: type[SessionHandler] | None = None,
                        **options) -> SessionHandler:
        """The hooks of one incoming session: ``kind`` (:class:`SessionHandler` unless
        the live server adds its own), with :class:`ForcedReplies` only when a fault of
        the scenario forces replies.  Faults never change during a run, so a session
        without them is not asked about them on every command."""
        kind = kind or SessionHandler
        if self.net.faults.forces_replies:
            kind = with_forced_replies(kind)
        return kind(self, port, peer, **options)

    # -- recipients -------------------------------------------------------------
    def check_recipient(self, path: Path, authenticated: bool) -> Reply | None:
        """Accept, or refuse with the reason (no open relay, unknown user)."""
        if self.net.settings.source_routes == "honour" and path.route:
            if self.is_me(path.route[0]) or authenticated:
                return None
            return _reply(550, "5.7.1", "Source route must start with this host", "route_not_me")
        if self.is_final_for(path.domain):
            if self.net.store.has_mailbox(path.mailbox):
                return None
            return _reply(550, "5.1.1", f"<{path.mailbox}>: Recipient address rejected: "
                          "User unknown in local recipient table", "user_unknown")
        if self.is_backup_for(path.domain):
            # Like Postfix's relay_domains: every address of the domain is taken, since a
            # backup cannot see the primary's mailboxes; the primary judges them later.
            return _reply(250, "2.1.5", f"<{path.mailbox}>: Recipient OK, to be relayed to "
                          f"a primary MX of {path.domain}", "backup_rcpt")
        if authenticated:
            return None
        if self.open_relay_until is not None and self.net.now() < self.open_relay_until:
            # The misconfiguration: mail from a stranger to a stranger is taken (RFC 5321 §7.1).
            return _reply(250, "2.1.5", f"<{path.mailbox}>: Ok", "open_relay")
        return _reply(550, "5.7.1", f"<{path.mailbox}>: Relay access denied", "relay_denied")

    def quota_refusal(self, envelope: Envelope) -> Reply | None:
        """The reply after the final dot when no recipient's mailbox has room for it.

        Checked only when every recipient is a local mailbox, because one reply answers
        them all; otherwise the message is accepted and the MDA meets the quota of each
        mailbox on delivery.  A full mailbox gets 452 4.2.2: RFC 3463 §3.3 asks to treat
        X.2.2 as a persistent transient failure, since its owner can make room (Gmail
        answers so; Dovecot and Exchange send 552 5.2.2, and the sender gives up at once).
        A message larger than the whole quota can never fit: 552 5.2.3 (RFC 3463 §3.3).
        """
        # One pass that stops at the first recipient that settles it (for one recipient
        # with room: its mailbox, looked up once), not a list of the local ones first:
        # 0.8 µs less per message in the served session (0.3 µs in timeit).
        size = len(envelope.content)
        problems = []
        for path in envelope.rcpt_to:
            if path.route or not self.is_final_for(path.domain):
                return None                       # a recipient to relay: accept
            try:
                self.net.store.account(path.mailbox).check_room(size)
                return None                       # one mailbox takes it: accept
            except QuotaExceeded as exc:
                problems.append((path, exc))
            except NoSuchUser:
                return None
        if not problems:
            return None                           # no recipient at all
        path, exc = next(((p, e) for p, e in problems if not e.permanent), problems[0])
        if exc.permanent:
            return _reply(552, "5.2.3", f"<{path.mailbox}>: Message is larger than the "
                          "mailbox quota", "quota_too_big")
        return _reply(452, "4.2.2", f"<{path.mailbox}>: Mailbox full, try again later",
                      "mailbox_full")

    # -- accepting a message ----------------------------------------------------------
    def accept(self, envelope: Envelope, port: int, peer: str,
               verdict: Verdict | None = None) -> str:
        """Take responsibility for a message (RFC 5321 §6.1); returns the queue id.

        A message checked for its sender gets the results in ``Authentication-Results:``
        (RFC 8601 §5) and, if quarantined, goes to the Junk folder; one submitted by a
        user of a domain this server signs for gets a DKIM signature (RFC 6376 §5).
        """
        queue_id = self.net.new_queue_id()
        content = envelope.content
        if verdict is not None:
            content = mime.prepend_header(content, "Authentication-Results", verdict.header)
        elif envelope.auth_user and self.dkim_keys:
            content = self._dkim_sign(content)
        content = mime.prepend_header(content, "Received",
                                      self._received(envelope, port, peer, queue_id))
        params = {"queue_id": queue_id, "count": len(envelope.rcpt_to)}
        backup = sorted({p.domain.lower() for p in envelope.rcpt_to
                         if not p.route and self.is_backup_for(p.domain)}) \
            if self.backup_for else ()
        if backup:       # why a host that is not final for the domain took the message
            params.update(domain=", ".join(backup), notes=["mta.backup_queued"])
        self.net.recorder.internal(self.name, "MTA", f"queued {queue_id}", "mta.queued",
                                   params=params, queue_id=queue_id)
        folder = verdict.folder if verdict is not None else "INBOX"
        self.route(envelope.mail_from or Path(""), envelope.rcpt_to, content, queue_id, folder)
        return queue_id

    def _dkim_sign(self, content: bytes) -> bytes:
        """Sign with the key of the From: domain, if this server holds one."""
        from . import dkim_check, sender_auth
        key = self.dkim_keys.get(sender_auth.from_domain(content))
        if key is None:
            return content
        signed = dkim_check.sign(content, key, self.net.now_datetime().timestamp())
        self.net.recorder.internal(self.name, "MTA", f"DKIM-Signature d={key.domain} "
                                   f"s={key.selector}", "auth.dkim_signed",
                                   params={"domain": key.domain, "selector": key.selector,
                                           "record": key.record_name})
        return signed

    def check_sender(self, envelope: Envelope, port: int, peer: str) -> Verdict | None:
        """SPF, DKIM and DMARC for mail from another server, if this host checks them."""
        if not self.checks_senders or envelope.auth_user or port != MX_PORT:
            return None
        from . import sender_auth
        envelope.content, forged = sender_auth.strip_own_results(envelope.content, self.name)
        if forged:
            self.net.recorder.internal(self.name, "MTA", f"removed {forged} forged "
                                       "Authentication-Results", "auth.forged_results",
                                       params={"count": forged, "host": self.name})
        return sender_auth.evaluate(self.net, self.name, ip=self.net.address_of(peer) or "",
                                    helo=envelope.helo or peer,
                                    mail_from=envelope.mail_from.mailbox
                                    if envelope.mail_from else "",
                                    content=envelope.content)

    def route(self, mail_from: Path, rcpts: list[Path], content: bytes, queue_id: str,
              folder: str = "INBOX") -> None:
        """Deliver each recipient locally (into ``folder``) or queue it for the next hop."""
        groups: dict[tuple[str, str], QueueEntry] = {}
        seen: set[str] = set()
        for rcpt in rcpts:
            rcpt, sender = self._next_paths(rcpt, mail_from)
            # RCPT TO the same mailbox twice: one copy, not two.  A lone recipient has
            # nothing to be compared with: 0.6 µs per message in the served session.
            if len(rcpts) > 1:
                key = _mailbox_key(rcpt)
                if key in seen:
                    continue
                seen.add(key)
            if not rcpt.route and self.is_final_for(rcpt.domain):
                target = self.forwards.get(rcpt.mailbox.lower())
                if target is None:
                    self.net.scheduler.after(0, self.deliver_locally, sender, rcpt, content,
                                             queue_id, 1, folder)
                    continue
                rcpt = self._forward(rcpt, target, sender, queue_id)
            target = rcpt.route[0] if rcpt.route else rcpt.domain
            key = (target.lower(), str(sender))
            if key not in groups:
                groups[key] = QueueEntry(queue_id, sender, [], content, target)
            groups[key].rcpts.append(rcpt)
        for entry in groups.values():
            self.relay.enqueue(entry)

    def _forward(self, rcpt: Path, target: str, sender: Path, queue_id: str) -> Path:
        """Forward as ``.forward`` does: a new recipient, the envelope sender unchanged."""
        self.net.recorder.internal(self.name, "MTA", f"{queue_id}: {rcpt.mailbox} → {target}",
                                   "mta.forwarded", params={"queue_id": queue_id,
                                                            "address": rcpt.mailbox,
                                                            "target": target,
                                                            "sender": str(sender)},
                                   queue_id=queue_id)
        return Path(target)

    def deliver_locally(self, sender: Path, rcpt: Path, content: bytes, queue_id: str,
                        attempt: int = 1, folder: str = "INBOX") -> None:
        """The MDA files the message; a store that fails means a retry or a bounce.

        The 250 has already taken responsibility for the message (RFC 5321
        §6.1), so a store error (a full disk, a Maildir that cannot be
        written) must not drop it: the delivery is tried again on the retry
        schedule (§4.5.4.1), and the sender gets a DSN (RFC 3464) when the
        schedule is spent or the mailbox is gone.
        """
        try:
            self.net.deliver(self.name, sender, rcpt, content, queue_id, folder)
        except (StoreError, OSError) as exc:
            entry = QueueEntry(queue_id, sender, [rcpt], content, self.name, attempt)
            schedule = self.net.settings.retry_schedule
            if isinstance(exc, NoSuchUser):
                self.bounce(entry, [(rcpt, "5.1.1", str(exc))])
            elif isinstance(exc, QuotaExceeded) and exc.permanent:
                self.bounce(entry, [(rcpt, "5.2.3", str(exc))])     # RFC 3463 §3.3
            elif attempt > len(schedule):
                self.bounce(entry, [(rcpt, EXPIRED, f"local delivery failed: {exc}")])
            else:
                wait = schedule[attempt - 1]
                status = "4.2.2" if isinstance(exc, QuotaExceeded) else "4.3.0"
                self.net.recorder.internal(
                    self.name, "MTA", f"{queue_id} deferred {wait:g} s", "mta.deferred",
                    params={"queue_id": queue_id, "wait": f"{wait:g}", "attempt": attempt,
                            "error": str(exc), "notes": cause_notes(status)},
                    queue_id=queue_id)
                self.net.scheduler.after(wait, self.deliver_locally, sender, rcpt, content,
                                         queue_id, attempt + 1, folder)

    def _next_paths(self, rcpt: Path, mail_from: Path) -> tuple[Path, Path]:
        """RFC 821 §3.6: strip ourselves from the forward route, join the reverse one."""
        if self.net.settings.source_routes != "honour":
            # The route is ignored (RFC 5321 app. C): the mailbox alone (a Path is a value).
            plain = rcpt if not rcpt.route and not rcpt.params else Path(rcpt.mailbox)
            return plain, mail_from
        if rcpt.route and self.is_me(rcpt.route[0]):
            rcpt = rcpt.without_first_hop()
            if not mail_from.is_null:
                mail_from = mail_from.with_hop_prepended(self.name)
        return rcpt, mail_from

    def _received(self, envelope: Envelope, port: int, peer: str, queue_id: str) -> str:
        # RFC 3848 §2 and RFC 6531 §4.3: ESMTP[S][A], or UTF8SMTP[S][A] for SMTPUTF8 mail.
        protocol = "UTF8SMTP" if envelope.smtputf8 else "ESMTP" if envelope.esmtp else "SMTP"
        protocol += ("S" if envelope.tls else "") + ("A" if envelope.auth_user else "")
        rcpt = envelope.rcpt_to[0].mailbox if len(envelope.rcpt_to) == 1 else None
        return mime.received_header(helo=envelope.helo or peer, peer_host=peer,
                                    peer_address=self.net.address_of(peer) or "unknown",
                                    by_host=self.name, protocol=protocol, queue_id=queue_id,
                                    recipient=rcpt, date=self.net.now_datetime())

    # -- bounces -------------------------------------------------------------------------
    def bounce(self, entry: QueueEntry, failures: list[tuple[Path, str, str]]) -> None:
        """Send a delivery status notification (RFC 3464) to the reverse path."""
        addresses = [str(p.mailbox) for p, _, _ in failures]
        if entry.mail_from.is_null:
            # RFC 5321 §4.5.5: never bounce a bounce (that is how mail loops start).
            self._note_bounces(entry, failures, None)
            self.net.recorder.internal(self.name, "MTA", "bounce of a bounce not sent",
                                       "mta.double_bounce", params={"queue_id": entry.queue_id})
            return
        dsn = build_dsn(reporting_mta=self.name, original=entry.content,
                        recipients=[(p.mailbox, status, diag) for p, status, diag in failures],
                        action="failed", date=self.net.now_datetime(),
                        message_id=self.net.new_message_id(self.name),
                        to=entry.mail_from.mailbox, postmaster=f"postmaster@{self.mail_domain}")
        queue_id = self.net.new_queue_id()
        self._note_bounces(entry, failures, queue_id)
        self.net.recorder.internal(self.name, "MTA", f"bounce {queue_id} → {entry.mail_from}",
                                   "mta.bounce", params={"queue_id": queue_id,
                                                         "original": entry.queue_id,
                                                         "to": str(entry.mail_from),
                                                         "recipients": ", ".join(addresses),
                                                         "status": failures[0][1],
                                                         "notes": cause_notes(failures[0][1])},
                                   queue_id=queue_id)
        self.route(Path(""), [entry.mail_from], dsn, queue_id)

    def _note_bounces(self, entry: QueueEntry, failures, dsn: str | None) -> None:
        for path, status, diagnostic in failures:
            self.net.bounces.append(Bounce(self.net.now(), self.name, path.mailbox, status,
                                           diagnostic, entry.mail_from.mailbox,
                                           entry.queue_id, dsn))


class SessionHandler(Handler):
    """The MTA's answers inside one SMTP session (aiosmtpd-style hooks)."""

    def __init__(self, mta: MTANode, port: int, peer: str) -> None:
        self.mta, self.port, self.peer = mta, port, peer

    def authenticate(self, session, mechanism: str, username: str, password: str) -> bool:
        return self.mta.net.store.authenticate(username, password) is not None

    def authorize(self, session, username: str, authzid: str) -> bool:
        """Acting as one's own full address is allowed; as anyone else, never (RFC 4616 §2)."""
        account = self.mta.net.store.find(username)
        return account is not None and may_act_as(authzid, username, account.address)

    def handle_RCPT(self, session, envelope: Envelope, path: Path) -> Reply | None:
        return self.mta.check_recipient(path, authenticated=envelope.auth_user is not None)

    def handle_DATA(self, session, envelope: Envelope) -> Reply | None:
        refusal = self.mta.quota_refusal(envelope)
        if refusal is not None:
            return refusal
        verdict = self.mta.check_sender(envelope, self.port, self.peer)
        if verdict is not None and verdict.action == "reject":
            return _sender_refusal(verdict)
        queue_id = self.mta.accept(envelope, self.port, self.peer, verdict)
        return _reply(250, "2.0.0", f"Ok: queued as {queue_id}", "queued")


class ForcedReplies(Handler):
    """The replies a scenario's faults force (``reply`` faults: a teacher's misconfiguration,
    greylisting, a full disk), on every command and after every message.  Put in front
    of a :class:`SessionHandler` class by :func:`with_forced_replies`: the class's own
    command checks answer first (as the live server's 538 for AUTH in clear did before
    any fault), a fault's reply to the message comes before the MTA takes it."""

    mta: MTANode
    peer: str

    def handle_command(self, session, verb: str, argument: str) -> Reply | None:
        own = super().handle_command(session, verb, argument)
        if own is not None:
            return own
        rcpt = _rcpt_mailbox(argument) if verb.upper() == "RCPT" else None
        return self.mta.net.faults.reply_override(self.mta.name, verb, client=self.peer,
                                                  recipients=[rcpt] if rcpt else [])

    def handle_DATA(self, session, envelope: Envelope) -> Reply | None:
        forced = self.mta.net.faults.reply_override(
            self.mta.name, "DATA", after=True, client=self.peer,
            recipients=[p.mailbox for p in envelope.rcpt_to])
        if forced is not None:
            return forced            # refused at the final dot: nothing was accepted
        return super().handle_DATA(session, envelope)


@cache
def with_forced_replies(kind: type[SessionHandler]) -> type[SessionHandler]:
    """``kind`` with :class:`ForcedReplies` in front of it; one class per ``kind``, made once."""
    return type(f"{kind.__name__}WithForcedReplies", (ForcedReplies, kind), {})


def _sender_refusal(verdict: Verdict) -> Reply:
    """550 with the RFC 7372 code: 5.7.26 for a DMARC reject, 5.7.23 for an SPF fail."""
    if verdict.status == "5.7.26":
        domain = verdict.dmarc.from_domain
        return _reply(550, "5.7.26", f"Unauthenticated mail from {domain} is not accepted "
                      "due to the domain's DMARC policy", "dmarc_reject")
    return _reply(550, "5.7.23", f"SPF: {verdict.spf.ip} is not allowed to send mail for "
                  f"{verdict.spf.domain}", "spf_fail")


def _rcpt_mailbox(argument: str) -> str | None:
    """The mailbox of ``TO:<@route:bob@b.test> params`` (RFC 5321 §4.1.1.3), if readable."""
    match = re.match(r"\s*TO:\s*<(?:@[^:>]*:)?([^>]*)>", argument, re.IGNORECASE)
    return match.group(1) if match else None


def _mailbox_key(path: Path) -> str:
    """The route and mailbox with the domain lower-cased (RFC 5321 §2.4: only it ignores case)."""
    local, _, domain = path.mailbox.rpartition("@")
    route = ",".join(h.lower() for h in path.route) if path.route else ""
    return f"{route}:{local}@{domain.lower()}"


def _reply(code: int, enhanced: str, text: str, name: str) -> Reply:
    return Reply(code, enhanced, (text,), key=f"mta.reply.{name}")
