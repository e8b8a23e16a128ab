"""Sender authentication at the receiving MTA: SPF, DKIM and DMARC, their
``Authentication-Results:`` header (RFC 8601) and what the server does.

Theory of operation.  Plain SMTP takes any ``MAIL FROM`` and any ``From:``
(RFC 5321 §7.1).  A receiving server that checks its senders evaluates, after
the final dot of a message from another server (port 25, no AUTH):

1. SPF (RFC 7208) for the envelope's ``MAIL FROM`` domain and the client's address;
2. DKIM (RFC 6376): the message's signature against the key in DNS;
3. DMARC (RFC 7489): whether a passing SPF or DKIM domain is aligned with ``From:``.

It records the three results in an ``Authentication-Results:`` field on top of
the message (built by the ``authres`` package) and each as an explained step
of the trace.  Then it acts:

* a DMARC policy decides when the ``From:`` domain has one: ``p=reject`` →
  ``550 5.7.26`` (RFC 7372 §3.4: several checks failed; what large receivers
  send), ``p=quarantine`` → the recipient's Junk folder, ``p=none`` → delivered;
* without a DMARC policy an SPF ``fail`` is refused: ``550 5.7.23``
  (RFC 7208 §8.4, RFC 7372 §3.2).  With a policy, SPF fail alone does not
  refuse: a forwarded message fails SPF and may still pass DMARC by its DKIM
  signature (RFC 7489 §10.1);
* everything else is delivered, the results in its header for the reader's program.
"""
from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import getaddresses

import authres
import authres.dmarc

from . import dkim_check, dmarc_check, spf_check
from .dkim_check import DKIMResult
from .dmarc_check import DMARCResult
from .spf_check import SPFResult

#: Where a quarantined message goes (RFC 6154 ``\Junk``).
JUNK = "Junk"


@dataclass(frozen=True)
class Verdict:
    """The three results, the header that reports them and the server's action."""

    spf: SPFResult
    dkim: DKIMResult
    dmarc: DMARCResult
    header: str                 # the Authentication-Results field's value
    action: str                 # deliver, quarantine or reject
    status: str = ""            # the enhanced status code of a refusal (RFC 7372)

    @property
    def folder(self) -> str:
        return JUNK if self.action == "quarantine" else "INBOX"


def from_domain(content: bytes) -> str:
    """The domain of the message's ``From:`` (RFC 5322 §3.6.2), lower case; '' if none."""
    head = BytesHeaderParser().parsebytes(content)
    addresses = getaddresses(head.get_all("From", []))
    return addresses[0][1].rpartition("@")[2].lower() if addresses else ""


def strip_own_results(content: bytes, authserv_id: str) -> tuple[bytes, int]:
    """Remove ``Authentication-Results:`` fields that claim to be this server's (RFC 8601 §5):
    a sender could otherwise write "dmarc=pass" in its own message.  Returns the message and
    how many fields were removed."""
    head, sep, body = content.partition(b"\r\n\r\n")
    fields: list[list[bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)            # a folded continuation (RFC 5322 §2.2.3)
        else:
            fields.append([line])
    claim = b"authentication-results:"
    ours = [f for f in fields if f[0].lower().startswith(claim)
            and f[0][len(claim):].strip().lower().split(b";")[0].strip()
            == authserv_id.lower().encode()]
    if not ours:
        return content, 0
    kept = [line for f in fields if f not in ours for line in f]
    return b"\r\n".join(kept) + sep + body, len(ours)


def evaluate(net, node: str, *, ip: str, helo: str, mail_from: str, content: bytes) -> Verdict:
    """Check one message at ``node`` (an MTA's name) and record each result in the trace."""
    record = lambda lookup: net.recorder.lookup(node, lookup)
    spf = spf_check.check(net.dns, record, ip=ip, mail_from=mail_from, helo=helo)
    _step(net, node, f"SPF {spf.result}: {spf.sender} from {ip}", f"auth.spf.{spf.result}",
          domain=spf.domain, ip=ip, sender=spf.sender, record=spf.record or "—",
          reason=spf.reason or "—")
    now = net.now_datetime().timestamp()
    dkim = dkim_check.verify(content, net.dns, record, now)
    _step(net, node, f"DKIM {dkim.result}" + (f": d={dkim.domain} s={dkim.selector}"
                                              if dkim.domain else ""),
          f"auth.dkim.{dkim.result}", domain=dkim.domain or "—",
          selector=dkim.selector or "—", reason=dkim.reason or "—")
    author = from_domain(content)
    dmarc = dmarc_check.check(net.dns, record, from_domain=author, spf_result=spf.result,
                              spf_domain=spf.domain,
                              dkim_results=[(dkim.result, dkim.domain)] if dkim.domain else [])
    _step(net, node, f"DMARC {dmarc.result}: From: @{author or '—'}"
          + (f" (p={dmarc.policy})" if dmarc.policy else ""),
          f"auth.dmarc.{dmarc.result}", domain=author or "—", record=dmarc.record or "—",
          policy=dmarc.policy or "—", spf_domain=spf.domain, dkim_domain=dkim.domain or "—",
          spf_aligned=_yes(dmarc.spf_aligned), dkim_aligned=_yes(dmarc.dkim_aligned))
    action, status = _action(spf, dmarc)
    return Verdict(spf, dkim, dmarc, _header(node, spf, dkim, dmarc), action, status)


def _action(spf: SPFResult, dmarc: DMARCResult) -> tuple[str, str]:
    if dmarc.result in ("pass", "fail"):
        if dmarc.disposition == "reject":
            return "reject", "5.7.26"
        if dmarc.disposition == "quarantine":
            return "quarantine", ""
        return "deliver", ""
    if spf.result == "fail":
        return "reject", "5.7.23"
    return "deliver", ""


def _header(node: str, spf: SPFResult, dkim: DKIMResult, dmarc: DMARCResult) -> str:
    """The ``Authentication-Results:`` value (RFC 8601 §2.2), ``authserv-id`` = this host."""
    results = [authres.SPFAuthenticationResult(result=spf.result,
                                               smtp_mailfrom=spf.sender)]
    if dkim.result == "none":
        results.append(authres.DKIMAuthenticationResult(result="none"))
    else:
        results.append(authres.DKIMAuthenticationResult(result=dkim.result,
                                                        header_d=dkim.domain,
                                                        header_s=dkim.selector))
    results.append(authres.dmarc.DMARCAuthenticationResult(
        result=dmarc.result, header_from=dmarc.from_domain or None,
        policy=dmarc.policy or None))
    text = str(authres.AuthenticationResultsHeader(authserv_id=node, results=results))
    return text.split(":", 1)[1].strip()


def _step(net, node: str, line: str, key: str, **params) -> None:
    net.recorder.internal(node, "MTA", line, key, params=params)


def _yes(flag: bool) -> str:
    return "✓" if flag else "✗"
