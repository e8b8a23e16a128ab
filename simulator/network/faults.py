"""Fault injection: nodes and links that go down, DNS failures, forced replies.

Faults are scheduled as events at their start and end, so the network's
state at any simulated time is exactly what the scenario says; a reply
override ("451 on RCPT for the first 2 attempts") counts its uses.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..protocols.smtp import Reply
from ..scenarios.model import Fault


class Faults:
    """Applies a scenario's faults to the topology, the DNS and the MTAs."""

    def __init__(self, net, faults: tuple[Fault, ...]) -> None:
        self.net = net
        self.faults = faults
        #: Whether any fault forces a reply (most scenarios have none): a server asks on
        #: every command, so the answer "no" must cost next to nothing.
        self.forces_replies = any(fault.kind == "reply" for fault in faults)
        self._used: dict[int, int] = {}

    def schedule(self) -> None:
        for fault in self.faults:
            if fault.kind == "reply":
                continue                      # consulted on each command instead
            self.net.scheduler.at(fault.start, self._apply, fault, True)
            if fault.end is not None:
                self.net.scheduler.at(fault.end, self._apply, fault, False)

    def _apply(self, fault: Fault, on: bool) -> None:
        if fault.kind == "node_down":
            self.net.topology.set_node_down(fault.node, on)
            target = fault.node
        elif fault.kind == "nat":
            self.net.topology.set_nat(fault.node, on)
            target = fault.node
        elif fault.kind == "link_down":
            self.net.topology.set_link_down(fault.node, fault.peer, on)
            target = f"{fault.node} — {fault.peer}"
        else:
            if on:
                self.net.dns.set_failure(fault.name, fault.rcode)
            else:
                self.net.dns.clear_failure(fault.name)
            target = f"{fault.name} ({fault.rcode})"
        key = f"fault.{fault.kind}.{'on' if on else 'off'}"
        self.net.recorder.internal(fault.node or "dns", "FAULT", f"{key}: {target}", key,
                                   params={"target": target})

    def reply_override(self, node: str, verb: str, *, after: bool = False, client: str = "",
                       recipients: Iterable[str] = ()) -> Reply | None:
        """The forced reply for ``verb`` at ``node`` now, if a fault says so; with
        ``after``, the reply after the message that follows DATA (``after: DATA``).

        ``client`` is the connecting host and ``recipients`` the mailboxes the
        command or transaction is about (the RCPT's one, or every RCPT before
        the final dot), for faults aimed at one ``client`` or ``recipient``.
        """
        if not self.forces_replies:
            return None
        wanted = {r.lower() for r in recipients}
        for index, fault in enumerate(self.faults):
            moment = fault.after if after else fault.command
            if (fault.kind == "reply" and fault.node == node
                    and (moment or "").upper() == verb.upper()
                    and fault.client in (None, client.lower())
                    and (fault.recipient is None or fault.recipient in wanted)
                    and fault.active(self.net.scheduler.now)
                    and (fault.times is None or self._used.get(index, 0) < fault.times)):
                self._used[index] = self._used.get(index, 0) + 1
                return forced(fault)
        return None


def forced(fault: Fault) -> Reply:
    """A fault's reply with its explanation: the teacher's own (``explain``), or the
    one its enhanced status stands for (:func:`cause`)."""
    reply = Reply.parse(fault.reply)
    own = (("own", dict(fault.explain)),) if fault.explain else ()
    return replace(reply, key=f"fault.reply.{cause(reply)}", params=own)


def cause(reply: Reply) -> str:
    """What a forced reply stands for, by its enhanced status (RFC 3463 §3.3-§3.8):
    X.2.2 a full mailbox, X.3.4 / X.2.3 a message too big, X.7.x greylisting (4xx)
    or policy (5xx); else just its class.  Each has its own explanation."""
    if reply.is_positive:
        return "positive"
    found = status_cause(reply.enhanced or "", transient=reply.is_transient)
    if found in ("quota", "quota_full", "size", "greylisting", "policy"):
        return found
    return "transient" if reply.is_transient else "permanent"


def status_cause(status: str, *, transient: bool | None = None) -> str | None:
    """The cause an enhanced status code names (RFC 3463 §3): ``quota`` (4.2.2),
    ``quota_full`` (5.2.2), ``size`` (X.3.4, X.2.3), ``greylisting`` (4.7.x),
    ``policy`` (5.7.x), ``expiry`` (X.4.7), ``loop`` (X.4.6), ``network`` (other X.4.x),
    or None.

    ``transient`` overrides the class digit, for a reply whose code and status
    disagree (a 452 with a 5.2.2 is still transient).
    """
    klass, _, subject = status.partition(".")
    if transient is None:
        transient = klass == "4"
    if subject == "2.2":
        return "quota" if transient else "quota_full"
    if subject in ("3.4", "2.3") and not transient:
        return "size"
    if subject.startswith("7."):
        return "greylisting" if transient else "policy"
    if subject == "4.7":
        return "expiry"
    if subject == "4.6":
        return "loop"
    if subject.startswith("4."):
        return "network"
    return None
