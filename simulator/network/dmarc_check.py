"""DMARC (RFC 7489): does an authenticated domain match the From: the reader sees?

Theory of operation.  SPF authenticates the envelope's ``MAIL FROM`` domain
and DKIM the signature's ``d=`` domain; neither is the ``From:`` a reader
sees.  DMARC joins them: the message passes when SPF passes for a domain
*aligned* with the ``From:`` domain, or a DKIM signature passes for one
(RFC 7489 §3.1).  Relaxed alignment (the default) asks for the same
Organizational Domain — the public suffix plus one label, from the Public
Suffix List (§3.2) — strict for the very same name.  The policy is the TXT
record ``_dmarc.<From domain>``, or else that of its Organizational Domain
(§6.6.3); ``p=`` says what the owner wants done with a message that fails:
``none`` (only report), ``quarantine`` (the spam folder), ``reject`` (§6.3).

The record is found here, over the simulated DNS; the ``dmarc`` package
parses it and evaluates alignment and disposition, with the Public Suffix
List of the ``publicsuffixlist`` package.  ``pct=`` sampling and reports
(``rua``, ``ruf``) are not simulated: every failing message gets the policy.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import dmarc
from publicsuffixlist import PublicSuffixList

from .dns import DNS, Lookup

#: RFC 8601 §2.7.1 and RFC 7489 §11.2: what a DMARC check can give.
RESULTS = ("pass", "fail", "none", "temperror", "permerror")


@functools.lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489 §3.2: the public suffix plus one label (``mail.a.test`` → ``a.test``)."""
    domain = domain.lower().rstrip(".")
    return _psl().privatesuffix(domain) or domain


class _OrgDomains:
    """The ``dmarc`` package asks its PSL object for ``get_public_suffix(domain)``, meaning
    the Organizational Domain."""

    def get_public_suffix(self, domain: str) -> str:
        return organizational_domain(domain)


@dataclass(frozen=True)
class DMARCResult:
    """The DMARC verdict for one message."""

    result: str                  # one of RESULTS
    from_domain: str
    record: str = ""             # the policy record, if one was found
    policy: str = ""             # none, quarantine, reject (p=, or sp= for a subdomain)
    disposition: str = "none"    # what the receiver should do: none, quarantine, reject
    spf_aligned: bool = False
    dkim_aligned: bool = False
    policy_domain: str = ""      # where the record was found


def check(dns: DNS, record: Callable[[Lookup], None], *, from_domain: str, spf_result: str,
          spf_domain: str, dkim_results: list[tuple[str, str]]) -> DMARCResult:
    """Evaluate DMARC for a message whose From: domain is ``from_domain`` (RFC 7489 §6.6).

    ``dkim_results`` are ``(result, d=)`` pairs of the message's signatures.
    """
    from_domain = from_domain.lower().rstrip(".")
    found = _policy_record(dns, record, from_domain)
    if isinstance(found, str):                     # "none" or "temperror"
        return DMARCResult(found, from_domain)
    text, where = found
    org = organizational_domain(from_domain)
    try:
        policy = dmarc.DMARC().parse_record(text, from_domain,
                                            org_domain=org if where != from_domain else None)
    except dmarc.RecordSyntaxError:
        return DMARCResult("permerror", from_domain, text, policy_domain=where)
    spf_input = dmarc.SPF(spf_domain, dmarc.SPFResult(spf_result)) if spf_domain else None
    signatures = [dmarc.DKIM(d, dmarc.DKIMResult(result)) for result, d in dkim_results if d]
    verdict = dmarc.DMARC(publicsuffix=_OrgDomains()).get_result(
        policy, auth_results=dmarc.AuthResults(spf=spf_input, dkim=signatures))
    applied = policy.sp if (where != from_domain and policy.sp.value) else policy.p
    return DMARCResult(verdict.result.value, from_domain, text, applied.value,
                       verdict.disposition.value,
                       spf_aligned=verdict.spf is dmarc.DMARCResult.PASS,
                       dkim_aligned=verdict.dkim is dmarc.DMARCResult.PASS,
                       policy_domain=where)


def _policy_record(dns: DNS, record: Callable[[Lookup], None],
                   from_domain: str) -> tuple[str, str] | str:
    """``(record, domain)`` of the policy (RFC 7489 §6.6.3), or ``"none"``/``"temperror"``."""
    org = organizational_domain(from_domain)
    for domain in dict.fromkeys((from_domain, org)):
        lookup = dns.query(f"_dmarc.{domain}", "TXT")
        record(lookup)
        if lookup.rcode == "SERVFAIL":
            return "temperror"
        texts = [t.decode("ascii", "replace") for t in lookup.texts()]
        policies = [t for t in texts if t.startswith("v=DMARC1")]
        if len(policies) == 1:
            return policies[0], domain
        if policies:                               # several: DMARC is not applied
            return "none"
    return "none"
