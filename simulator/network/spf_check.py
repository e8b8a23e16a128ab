"""SPF (RFC 7208) at the receiving MTA: pyspf, asking the simulated DNS.

Theory of operation.  A domain publishes in a TXT record which hosts may send
mail with its name in ``MAIL FROM`` (``v=spf1 mx ip4:192.0.2.10 -all``).  The
receiving server takes the connecting client's address, the ``MAIL FROM``
domain (or, for a bounce with an empty reverse path, ``postmaster@`` the HELO
name, RFC 7208 §2.4) and evaluates the record with ``check_host()`` (§4):
pass, fail, softfail, neutral, none, temperror or permerror (§2.6).

The evaluator is pyspf, the reference implementation; its DNS function is
module-wide (``spf.DNSLookup``, which pyspf's own tests replace the same way),
so it is replaced once by one that asks the DNS of the run in progress (a
context variable) and never the real network.  Every query it makes is
handed to ``record`` and so becomes a DNS step of the trace.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import spf
from dns.rdata import from_text as rdata_from_text
from dns.rdataclass import IN
from dns.rdatatype import TXT

from .dns import DNS, Lookup

#: RFC 7208 §2.6: the seven results.
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")

_Answers = Callable[[str, str], list]
_CURRENT: contextvars.ContextVar[_Answers | None] = contextvars.ContextVar("spf_dns",
                                                                            default=None)


def _simulated_lookup(name: str, qtype: str, strict: bool = True, timeout: float = 20) -> list:
    """pyspf's ``DNSLookup`` contract: ``[((name, type), value), …]`` or TempError."""
    answers = _CURRENT.get()
    if answers is None:         # outside a check: the simulator never asks the real DNS
        raise spf.TempError("DNS: no simulated DNS for this lookup")
    return answers(name, qtype)


spf.DNSLookup = _simulated_lookup


@dataclass(frozen=True)
class SPFResult:
    """One ``check_host()`` (RFC 7208 §4) and what it needed to know."""

    result: str                 # one of RESULTS
    domain: str                 # the domain checked (MAIL FROM's, or the HELO name's)
    ip: str                     # the client's address
    sender: str                 # the identity checked, e.g. ``alice@a.test``
    record: str = ""            # the SPF record found, if any
    reason: str = ""            # pyspf's explanation (the mechanism that matched)


def check(dns: DNS, record: Callable[[Lookup], None], *, ip: str, mail_from: str,
          helo: str) -> SPFResult:
    """Evaluate SPF for a client at ``ip`` sending as ``mail_from`` (RFC 7208 §4).

    An empty ``mail_from`` (a bounce) is checked as ``postmaster@<helo>`` (§2.4).
    """
    sender = mail_from or f"postmaster@{helo}"
    domain = sender.rpartition("@")[2].lower()
    with _asking(dns, record):
        query = spf.query(i=ip, s=sender, h=helo)
        result, _code, reason = query.check()
        found = _spf_record(dns, domain)
    return SPFResult(result, domain, ip, sender, found, reason)


def _spf_record(dns: DNS, domain: str) -> str:
    """The domain's ``v=spf1`` record (for the explanation), asked silently."""
    lookup = dns.query(domain, "TXT")
    texts = [t.decode("ascii", "replace") for t in lookup.texts()] if lookup.rcode == \
        "NOERROR" else []
    return next((t for t in texts if t.lower().startswith("v=spf1")), "")


@contextmanager
def _asking(dns: DNS, record: Callable[[Lookup], None]) -> Iterator[None]:
    token = _CURRENT.set(lambda name, qtype: _answers(dns, record, name, qtype))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _answers(dns: DNS, record: Callable[[Lookup], None], name: str, qtype: str) -> list:
    """Ask the simulated DNS and give the answer in pyspf's form (as its dnspython glue)."""
    lookup = dns.query(name, qtype)
    record(lookup)
    if lookup.rcode == "SERVFAIL":
        raise spf.TempError(f"DNS {lookup.question()} SERVFAIL")
    out: list = []
    for line in lookup.answers:
        owner, _ttl, _cls, rtype, data = line.split(None, 4)
        key = (owner.rstrip("."), rtype)
        if rtype in ("A", "AAAA"):
            out.append((key, data))
        elif rtype == "MX":
            preference, host = data.split()
            out.append((key, (int(preference), host.rstrip("."))))
        elif rtype in ("PTR", "CNAME"):
            out.append((key, data.rstrip(".")))
        elif rtype == "TXT":
            out.append((key, rdata_from_text(IN, TXT, data).strings))
    return out
