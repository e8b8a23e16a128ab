"""The MTA's outgoing queue: resolve the next hop, try each MX, retry, bounce.

RFC 5321 §5.1: try the exchangers in order of preference, skipping those no
more preferred than ourselves; a host that cannot be reached or answers 4xx
before the recipients hands the message on to the next one.  RFC 5321
§4.5.4.1: transient failures are retried later (the scenario's schedule, in
simulated time); when the retries run out, or on a 5xx, the sender gets a
bounce (RFC 3464).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..mail.binary import binary_to_7bit
from ..mail.downgrade import shorten_lines, to_7bit
from ..protocols.smtp import Envelope, Path, SMTPClient, parse_path
from .faults import status_cause
from .idn import a_label

MX_PORT = 25

#: Client stages before the transaction: a refusal there is the host's
#: problem, not the message's, so the next MX is tried (RFC 5321 §5.1).
_BEFORE_MAIL = ("GREETING", "EHLO", "HELO", "STARTTLS", "TLS", "AUTH")


@dataclass(frozen=True)
class _Synthetic:
    """A reply the MTA makes up when the peer gave none (connection lost)."""

    code: int = 451
    enhanced: str = "4.4.2"
    lines: tuple = ("connection lost before the reply",)
    is_positive: bool = False
    is_transient: bool = True
    is_permanent: bool = False


_LOST = _Synthetic()
#: The status of a message whose retries ran out (RFC 3463 §3.5, X.4.7).
EXPIRED = "5.4.7"


@dataclass
class QueueEntry:
    """A message waiting to go to one next hop (a domain or a route host)."""

    queue_id: str
    mail_from: Path
    rcpts: list[Path]
    content: bytes
    target: str
    attempts: int = 0
    last_error: str = ""
    last_status: str = "4.4.1"
    last_reply: str = ""        # the last server reply, for the DSN's Diagnostic-Code
    spool_name: str = ""        # its name in the Relay's spool, once written there


@dataclass
class _Attempt:
    entry: QueueEntry
    exchangers: list = field(default_factory=list)


class Relay:
    """The queue of one MTA and the logic of delivery attempts.

    ``spool`` (a :class:`simulator.mail.spool.Spool`, set by ``mailsim serve
    --maildir``) keeps a copy of every entry on disk until it is relayed or
    bounced, and :meth:`restore` queues them again after a restart.
    """

    def __init__(self, mta) -> None:
        self.mta = mta
        self.net = mta.net
        self.queue: dict[int, QueueEntry] = {}
        self.spool = None

    def enqueue(self, entry: QueueEntry) -> None:
        self.queue[id(entry)] = entry
        if self.spool is not None:
            entry.spool_name = self.spool.new_name(entry.queue_id)
            self.spool.save(entry.spool_name, _envelope(entry), entry.content)
        self.net.scheduler.after(0, self.attempt, entry)

    def restore(self) -> int:
        """Queue again every entry the spool holds (a restart); how many there were."""
        if self.spool is None:
            return 0
        saved = self.spool.load()
        for name, envelope, content in saved:
            entry = _entry(name, envelope, content)
            self.queue[id(entry)] = entry
            self.net.recorder.internal(self.mta.name, "MTA", f"{entry.queue_id} restored from "
                                       "the spool", "mta.restored",
                                       params={"queue_id": entry.queue_id,
                                               "attempts": entry.attempts,
                                               "count": len(entry.rcpts)},
                                       queue_id=entry.queue_id)
            self.net.scheduler.after(0, self.attempt, entry)
        return len(saved)

    def _done(self, entry: QueueEntry) -> None:
        """The entry was relayed or bounced: out of the queue, and off the disk.

        The spool copy goes only after what the bounce scheduled "now" (the
        DSN's local delivery) has run: a crash in between repeats a bounce at
        worst, never loses one.
        """
        self.queue.pop(id(entry), None)
        if self.spool is not None and entry.spool_name:
            self.net.scheduler.after(0, self.spool.remove, entry.spool_name)

    # -- one attempt ------------------------------------------------------------
    def attempt(self, entry: QueueEntry) -> None:
        entry.attempts += 1
        route = self.net.dns.mail_route(self._dns_name(entry.target), self.net.rng)
        for lookup in route.lookups:
            self.net.recorder.lookup(self.mta.name, lookup)
        self._explain_route(route)
        if route.error and route.temporary:
            self._defer(entry, "4.4.3", f"DNS: {entry.target}: {route.error}")
        elif route.error:
            # RFC 7505 §4.1 gives 5.1.10 for a null MX; RFC 3463 5.1.2 otherwise.
            status = "5.1.10" if route.error == "NULLMX" else "5.1.2"
            self._fail_all(entry, status, f"DNS: {entry.target}: {route.error}")
        else:
            usable = self._usable(route.exchangers)
            if self.mta.is_backup_for(entry.target):
                self._note_backup_route(entry, route.exchangers, usable)
            if not usable and any(self.mta.is_me(x.host) for x in route.exchangers):
                # RFC 5321 §5.1: relaying to itself or to a less preferred MX would loop;
                # RFC 3463 §3.5 X.4.6 is the routing loop.
                return self._fail_all(entry, "5.4.6", f"mail for {entry.target} loops back "
                                      f"to myself ({self.mta.name} is its best MX)")
            self._try_next(_Attempt(entry, usable))

    def _dns_name(self, domain: str) -> str:
        """The name the DNS is asked: an IDN as its A-label (RFC 6531 §3.2, RFC 5890),
        with a step in the trace that says so."""
        name = a_label(domain)
        if name != domain.lower().rstrip("."):
            self.net.recorder.internal(self.mta.name, "DNS", f"{domain} → {name}", "dns.idna",
                                       dst="dns", params={"domain": domain, "alabel": name})
        return name

    def _note_backup_route(self, entry: QueueEntry, exchangers, usable) -> None:
        """A backup MX says where the queued message may go: only to MX hosts more
        preferred than itself, never to itself or a less preferred one (RFC 5321 §5.1)."""
        mine = next((x.preference for x in exchangers if self.mta.is_me(x.host)), None)
        names = [f"{x.host.rstrip('.').lower()} ({x.preference})" for x in usable]
        skipped = [f"{x.host.rstrip('.').lower()} ({x.preference})" for x in exchangers
                   if x not in usable]
        self.net.recorder.internal(
            self.mta.name, "MTA", f"{entry.queue_id}: backup for {entry.target} → "
            f"{', '.join(names) or '—'}", "mta.backup_route",
            params={"queue_id": entry.queue_id, "target": entry.target,
                    "hosts": ", ".join(names) or "—", "skipped": ", ".join(skipped) or "—",
                    "preference": "—" if mine is None else mine,
                    "attempt": entry.attempts}, queue_id=entry.queue_id)

    def _explain_route(self, route) -> None:
        """Say why DNS gave this route when it is not a plain MX list (RFC 5321 §5.1, RFC 7505)."""
        implicit = [x for x in route.exchangers if x.implicit]
        if implicit:
            key, line = "dns.fallback.A", f"no MX → {implicit[0].host} (implicit MX 0)"
        elif route.error in ("NULLMX", "NOADDRESS"):
            key = "dns.nullmx" if route.error == "NULLMX" else "dns.route.NOADDRESS"
            line = f"{route.domain}: {route.error}"
        else:
            return
        self.net.recorder.internal(self.mta.name, "DNS", line, key, dst="dns",
                                   params={"domain": route.domain})

    def _usable(self, exchangers) -> list:
        """RFC 5321 §5.1: drop ourselves and every MX not more preferred than us."""
        mine = [x.preference for x in exchangers if self.mta.is_me(x.host)]
        limit = min(mine) if mine else None
        return [x for x in exchangers
                if not self.mta.is_me(x.host) and (limit is None or x.preference < limit)]

    def _try_next(self, attempt: _Attempt) -> None:
        if not attempt.exchangers:
            self._defer(attempt.entry, attempt.entry.last_status,
                        attempt.entry.last_error or "no mail exchanger could be reached")
            return
        self._start(attempt)

    def _after_transient(self, attempt: _Attempt, host: str) -> None:
        """RFC 5321 §5.1: a host that failed for now hands the message to the next MX;
        the trace says which one, or that none is left (then the queue waits)."""
        entry = attempt.entry
        params = {"queue_id": entry.queue_id, "host": host, "error": entry.last_error,
                  "target": entry.target}
        if attempt.exchangers:
            following = attempt.exchangers[0]
            params.update(next=following.host.rstrip(".").lower(),
                          preference=following.preference,
                          notes=cause_notes(entry.last_status))   # why this host failed
            self.net.recorder.internal(self.mta.name, "MTA", f"{host} failed → next MX "
                                       f"{params['next']}", "mta.next_mx", params=params,
                                       queue_id=entry.queue_id)
        else:
            self.net.recorder.internal(self.mta.name, "MTA", f"{host} failed, no MX left",
                                       "mta.no_mx_left", params=params,
                                       queue_id=entry.queue_id)
        self._try_next(attempt)

    def _after_permanent(self, attempt: _Attempt, host: str, error: str) -> None:
        """A 5xx is the domain's answer, not one host's trouble: no other MX is asked."""
        entry = attempt.entry
        if attempt.exchangers:
            self.net.recorder.internal(self.mta.name, "MTA", f"{host} refused, other MX not "
                                       "tried", "mta.no_next_mx",
                                       params={"queue_id": entry.queue_id, "host": host,
                                               "error": error,
                                               "count": len(attempt.exchangers)},
                                       queue_id=entry.queue_id)

    def _start(self, attempt: _Attempt) -> None:
        exchanger = attempt.exchangers.pop(0)
        entry = attempt.entry
        envelope = Envelope(mail_from=entry.mail_from, rcpt_to=list(entry.rcpts),
                            content=entry.content)
        client = SMTPClient(self.mta.name, envelope, pipelining=self.net.settings.pipelining,
                            downgrade=_downgrade, encode_binary=_encode_binary,
                            shorten_lines=reencode_long_lines)
        host = exchanger.host.rstrip(".").lower()
        self.net.connect(self.mta.name, host, MX_PORT, "SMTP", client,
                         on_close=lambda conn: self._finished(attempt, host, conn))

    # -- evaluating what happened -------------------------------------------------------
    def _finished(self, attempt: _Attempt, host: str, conn) -> None:
        entry, result = attempt.entry, conn.client_engine.result
        if result.failure is None and result.greeting is None:
            entry.last_error, entry.last_status = f"{host}: connection failed", "4.4.1"
            entry.last_reply = ""
            return self._after_transient(attempt, host)
        if result.failed_stage and (not result.recipients or result.failed_stage == "MAIL"):
            # A refused MAIL ends the transaction even when RCPT and DATA were pipelined
            # after it: their 503s only follow from it (RFC 2920 §3.1), the MAIL reply
            # (e.g. 552 5.3.4 for a declared SIZE) is what the DSN must carry.
            return self._session_failed(attempt, host, result)
        self._per_recipient(attempt, host, result)

    def _session_failed(self, attempt: _Attempt, host: str, result) -> None:
        reply = result.failure or _LOST          # the server hung up without a reply
        entry = attempt.entry
        entry.last_reply = "" if reply is _LOST else _text(reply)
        entry.last_error = f"{host} said: {_text(reply)}"
        entry.last_status = reply.enhanced or ("4.0.0" if reply.is_transient else "5.0.0")
        if reply.is_permanent and result.failed_stage not in _BEFORE_MAIL:
            self._after_permanent(attempt, host, entry.last_error)
            self._fail_all(entry, entry.last_status, entry.last_reply or entry.last_error)
        else:
            self._after_transient(attempt, host)    # RFC 5321 §5.1: another MX may do better

    def _per_recipient(self, attempt: _Attempt, host: str, result) -> None:
        entry = attempt.entry
        delivered, failed, deferred = [], [], []
        for rcpt in entry.rcpts:
            reply = _outcome(rcpt, result)
            bucket = (delivered if reply.is_positive else
                      deferred if reply.is_transient else failed)
            bucket.append((rcpt, reply))
        self._report_sent(entry, host, delivered)
        if failed:
            self._after_permanent(attempt, host, f"{host} said: {_text(failed[0][1])}")
            self.mta.bounce(entry, [(p, r.enhanced or "5.0.0", _text(r))
                                    for p, r in failed])
        if deferred:
            entry.rcpts = [p for p, _ in deferred]
            reply = deferred[0][1]
            entry.last_status = reply.enhanced or "4.0.0"
            entry.last_error = f"{host} said: {_text(reply)}"
            entry.last_reply = "" if reply is _LOST else _text(reply)
            self._after_transient(attempt, host)
        else:
            self._done(entry)

    def _report_sent(self, entry: QueueEntry, host: str, delivered) -> None:
        if not delivered:
            return
        self.net.recorder.internal(self.mta.name, "MTA", f"{entry.queue_id} relayed to {host}",
                                   "mta.relayed", params={"queue_id": entry.queue_id,
                                                          "host": host,
                                                          "count": len(delivered)},
                                   queue_id=entry.queue_id)

    # -- retry or give up -----------------------------------------------------------------
    def _defer(self, entry: QueueEntry, status: str, error: str) -> None:
        entry.last_status, entry.last_error = status, error
        schedule = self.net.settings.retry_schedule
        if entry.attempts > len(schedule):
            self.net.recorder.internal(self.mta.name, "MTA", f"{entry.queue_id} expired",
                                       "mta.expired", params={"queue_id": entry.queue_id,
                                                              "attempts": entry.attempts,
                                                              "error": error})
            # RFC 3463 §3.5: X.4.7 "delivery time expired" is the status of a message
            # that stayed in the queue too long; what the server last said goes in the
            # Diagnostic-Code, with the server's own status in it.
            self.mta.bounce(entry, [(p, EXPIRED, entry.last_reply or error)
                                    for p in entry.rcpts])
            self._done(entry)
            return
        wait = schedule[entry.attempts - 1]
        self.net.recorder.internal(self.mta.name, "MTA", f"{entry.queue_id} deferred {wait:g} s",
                                   "mta.deferred", params={"queue_id": entry.queue_id,
                                                           "wait": f"{wait:g}",
                                                           "attempt": entry.attempts,
                                                           "error": error,
                                                           "notes": cause_notes(status)},
                                   queue_id=entry.queue_id)
        if self.spool is not None and entry.spool_name:
            self.spool.save(entry.spool_name, _envelope(entry), None)    # attempts, rcpts
        self.net.scheduler.after(wait, self.attempt, entry)

    def _fail_all(self, entry: QueueEntry, status: str, error: str) -> None:
        self.mta.bounce(entry, [(p, status, error) for p in entry.rcpts])
        self._done(entry)


def _downgrade(content: bytes):
    """RFC 6152 §3: an MTA converts 8-bit mail for a hop without 8BITMIME, not bounces it."""
    converted = to_7bit(content)
    return None if converted is None else (converted.content, converted.parts)


def reencode_long_lines(content: bytes):
    """RFC 5321 §4.5.3.1.6: a part with lines over 998 octets goes quoted-printable or
    base64 (RFC 2045 §6.7, §6.8), so the next server does not refuse the message."""
    converted = shorten_lines(content)
    return None if converted is None else (converted.content, converted.parts)


def _encode_binary(content: bytes):
    """RFC 3030 §3: binary MIME for a hop without BINARYMIME is converted to 7bit
    (base64), the second of the RFC's three ways, rather than returned."""
    converted = binary_to_7bit(content)
    return None if converted is None else (converted.content, converted.parts)


def _envelope(entry: QueueEntry) -> dict:
    """A queue entry's fields for the spool (the content is stored beside them)."""
    return {"queue_id": entry.queue_id, "mail_from": str(entry.mail_from),
            "rcpts": [str(p) for p in entry.rcpts], "target": entry.target,
            "attempts": entry.attempts, "last_error": entry.last_error,
            "last_status": entry.last_status, "last_reply": entry.last_reply}


def _entry(name: str, envelope: dict, content: bytes) -> QueueEntry:
    return QueueEntry(envelope["queue_id"], parse_path(envelope["mail_from"], smtputf8=True),
                      [parse_path(p, smtputf8=True) for p in envelope["rcpts"]], content,
                      envelope["target"],
                      envelope["attempts"], envelope["last_error"], envelope["last_status"],
                      envelope["last_reply"], spool_name=name)


def cause_notes(status: str) -> list[str]:
    """The note that names why a delivery failed, by its status (RFC 3463 §3): one text
    per cause — quota, size, greylisting, policy, expiry, network — or none."""
    found = status_cause(status)
    return [f"mta.cause.{found}"] if found else []


def _outcome(rcpt: Path, result):
    """A recipient's fate: its RCPT refusal, else the reply to the content."""
    reply = result.recipients.get(rcpt)
    if reply is None or reply.is_positive:
        reply = result.final or result.failure or reply
    return reply if reply is not None else _LOST


def _text(reply) -> str:
    return " ".join(filter(None, [str(reply.code), reply.enhanced or "", " ".join(reply.lines)]))
