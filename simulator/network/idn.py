"""Internationalised domain names as the network needs them (IDNA 2008, RFC 5890, RFC 5891).

RFC 6531 §3.2: a domain that is looked up in the DNS must be processed as IDNA
says: an SMTPUTF8 client or server either uses a Unicode-aware resolver or
turns the name into its A-label form first.  mailsim does the latter with the
``idna`` package (IDNA 2008 with the UTS 46 mapping), so that the trace shows the
name the DNS is really asked: пример.рф → xn--e1afmkfd.xn--p1ai.
"""
from __future__ import annotations

from functools import lru_cache

import idna


@lru_cache(maxsize=4096)
def a_label(domain: str) -> str:
    """``domain`` in lower case with each U-label as its A-label (RFC 5890 §2.3.2.1).

    An ASCII name comes back as it is (lower-cased); so does one that IDNA
    refuses, whose lookup then finds nothing, as a real resolver's would.
    Remembered: an MTA asks several times per message whether a domain is its own.
    """
    domain = domain.rstrip(".").lower()
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain


def u_label(domain: str) -> str:
    """The readable form of ``domain`` (RFC 5890 §2.3.2.1): xn--p1ai → рф."""
    try:
        return idna.decode(domain.rstrip("."))
    except idna.IDNAError:
        return domain
