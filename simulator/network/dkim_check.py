"""DKIM (RFC 6376): the sending MTA signs, the receiving MTA verifies, with dkimpy.

Theory of operation.  The signer hashes the body and the chosen header fields
(``h=``), signs the hash with the domain's private key and puts the result on
top of the message in a ``DKIM-Signature:`` field with its domain (``d=``)
and selector (``s=``).  The verifier fetches the public key from the TXT
record ``<selector>._domainkey.<domain>`` (RFC 6376 §3.6.2.1) and checks both
hashes: any change to the body or a signed field breaks the signature, while
fields added on top (``Received:``) and a different envelope do not — which is
why DKIM survives forwarding and SPF does not.

Keys are made when the scenario's network is built, from its seed, so the
same scenario gives the same signatures every run: RSA 2048 (RFC 8301 §3.2)
from a seeded generator — predictable on purpose, a key for the simulation
only.  dkimpy stamps ``t=`` (and checks it is not in the future) with the
wall clock; the simulated clock is lent to it for the call, so ``t=`` is the
simulated time of signing.
"""
from __future__ import annotations

import base64
import functools
import random
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dkim
from Crypto.PublicKey import RSA
from dkim.util import InvalidTagValueList, parse_tag_value

from .dns import DNS, Lookup

#: The fields signed: those a reader sees and that identify the message (RFC 6376 §5.4.1).
SIGNED_FIELDS = (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
                 b"content-type", b"content-transfer-encoding", b"reply-to", b"cc")
#: RFC 8601 §2.7.1 results a verifier gives.
RESULTS = ("pass", "fail", "none", "temperror", "permerror")


@dataclass(frozen=True)
class DKIMKey:
    """A domain's signing key and the TXT record that publishes its public half."""

    domain: str
    selector: str
    private_pem: bytes

    @property
    def record_name(self) -> str:
        """Where the key is published (RFC 6376 §3.6.2.1)."""
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def record(self) -> str:
        """The key record (RFC 6376 §3.6.1): version, key type, public key in base64."""
        public = RSA.import_key(self.private_pem).public_key().export_key("DER")
        return f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode('ascii')}"


@functools.lru_cache(maxsize=32)
def make_key(domain: str, selector: str, seed: int) -> DKIMKey:
    """The scenario's key for ``domain`` and ``selector``: the same seed, the same key."""
    rng = random.Random(f"dkim:{seed}:{selector}:{domain.lower()}")
    key = RSA.generate(2048, randfunc=rng.randbytes)
    return DKIMKey(domain.lower(), selector, key.export_key("PEM"))


@dataclass(frozen=True)
class DKIMResult:
    """One signature's verification (or ``none`` when the message has no signature)."""

    result: str                 # one of RESULTS
    domain: str = ""            # d=
    selector: str = ""          # s=
    reason: str = ""            # why it failed, in dkimpy's words


def sign(message: bytes, key: DKIMKey, now: float) -> bytes:
    """The message with a ``DKIM-Signature:`` field on top (RFC 6376 §5), ``t=`` = ``now``."""
    with _clock(now):
        header = dkim.sign(message, key.selector.encode(), key.domain.encode(), key.private_pem,
                           include_headers=[f for f in SIGNED_FIELDS if _has(message, f)])
    return header + message


def verify(message: bytes, dns: DNS, record: Callable[[Lookup], None], now: float) -> DKIMResult:
    """Verify the first DKIM signature of ``message`` (RFC 6376 §6), its key from ``dns``."""
    checker = dkim.DKIM(message)
    fields = [value for name, value in checker.headers if name.lower() == b"dkim-signature"]
    if not fields:
        return DKIMResult("none")
    try:
        tags = parse_tag_value(fields[0])
    except InvalidTagValueList as exc:
        return DKIMResult("permerror", reason=str(exc))
    domain = tags.get(b"d", b"").decode("ascii", "replace")
    selector = tags.get(b"s", b"").decode("ascii", "replace")
    lookups: list[Lookup] = []

    def txt(name, timeout=5):
        lookup = dns.query(name.decode() if isinstance(name, bytes) else name, "TXT")
        record(lookup)
        lookups.append(lookup)
        texts = lookup.texts() if lookup.rcode == "NOERROR" else []
        return texts[0] if texts else None

    try:
        with _clock(now):
            good = checker.verify(dnsfunc=txt)
    except dkim.DKIMException as exc:
        return DKIMResult("permerror" if _key_problem(exc) else "fail", domain, selector,
                          str(exc))
    if good:
        return DKIMResult("pass", domain, selector)
    if lookups and lookups[-1].rcode == "SERVFAIL":
        return DKIMResult("temperror", domain, selector, "DNS SERVFAIL")
    if lookups and not lookups[-1].texts():
        return DKIMResult("permerror", domain, selector, "no key for the selector")
    return DKIMResult("fail", domain, selector, "signature did not verify")


def _key_problem(exc: Exception) -> bool:
    return isinstance(exc, (dkim.KeyFormatError, dkim.UnknownKeyTypeError))


def _has(message: bytes, field: bytes) -> bool:
    head = message.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(field + b":") or b"\n" + field + b":" in head


@contextmanager
def _clock(now: float) -> Iterator[None]:
    """Lend dkimpy the simulated clock: it reads ``time.time()`` for ``t=`` and its checks."""
    real = dkim.time
    dkim.time = types.SimpleNamespace(time=lambda: now)
    try:
        yield
    finally:
        dkim.time = real
