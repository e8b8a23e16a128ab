"""Envelope addresses: reverse-path and forward-path, with RFC 821 source routes.

Grammar (RFC 5321 §4.1.2, same shape as RFC 821 §4.1.2)::

    Path         = "<" [ A-d-l ":" ] Mailbox ">"
    A-d-l        = At-domain *( "," At-domain )     ; the source route
    At-domain    = "@" Domain
    Mailbox      = Local-part "@" ( Domain / address-literal )
    Reverse-path = Path / "<>"

A source route such as ``<@ONE,@TWO:JOE@THREE>`` (RFC 821 §3.6) tells the
server to relay through ONE, then TWO, to the mailbox JOE@THREE.  RFC 5321
§3.6.1 and appendix C deprecate it: servers SHOULD accept the syntax and MAY
ignore the route.  The route is parsed either way and kept on the Path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# RFC 5321 §4.5.3.1.1–§4.5.3.1.3 (octets; "path" includes the punctuation)
MAX_LOCAL_PART = 64
MAX_DOMAIN = 255
MAX_PATH = 256

_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
_DOT_STRING = re.compile(rf"^[{_ATEXT}]+(\.[{_ATEXT}]+)*$")
_DOT_STRING_UTF8 = re.compile(rf"^[{_ATEXT}\u0080-\U0010ffff]+(\.[{_ATEXT}\u0080-\U0010ffff]+)*$")
_QUOTED = re.compile(r'^"([\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$')
_QUOTED_UTF8 = re.compile(r'^"([\x20\x21\x23-\x5b\x5d-\x7e\u0080-\U0010ffff]|\\[\x20-\x7e])*"$')
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_LABEL_UTF8 = (r"[A-Za-z0-9\u0080-\U0010ffff]([A-Za-z0-9\u0080-\U0010ffff-]*"
               r"[A-Za-z0-9\u0080-\U0010ffff])?")
#: Domain = sub-domain *("." sub-domain) (RFC 5321 §4.1.2), in one match instead of one per label.
_DOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_DOMAIN_UTF8 = re.compile(rf"{_LABEL_UTF8}(\.{_LABEL_UTF8})*")
_ADDRESS_LITERAL = re.compile(r"^\[[\x21-\x5a\x5e-\x7e]+\]$")
_ESMTP_KEYWORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_ESMTP_VALUE = re.compile(r"^[\x21-\x3c\x3e-\x7e\u0080-\U0010ffff]+$")


@dataclass(frozen=True)
class Path:
    """A reverse-path or forward-path from MAIL FROM / RCPT TO (RFC 5321 §4.1.2).

    ``params`` (the ESMTP parameters that followed the path) are kept for
    display but take no part in equality, so a Path works as a dict key.
    """

    mailbox: str                               # "user@domain"; "" for the null path <>
    route: tuple[str, ...] = ()                # ("hosta.test", "hostb.test"), no "@"
    params: tuple[tuple[str, str | None], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        if not self.route:
            return f"<{self.mailbox}>"
        hops = ",".join(f"@{h}" for h in self.route)
        return f"<{hops}:{self.mailbox}>"

    @property
    def is_null(self) -> bool:
        """The null reverse path ``<>`` used by bounces (RFC 5321 §4.5.5)."""
        return self.mailbox == ""

    @property
    def local_part(self) -> str:
        return self.mailbox.rpartition("@")[0] if "@" in self.mailbox else self.mailbox

    @property
    def domain(self) -> str:
        return self.mailbox.rpartition("@")[2] if "@" in self.mailbox else ""

    @property
    def is_ascii(self) -> bool:
        return str(self).isascii()

    def without_first_hop(self) -> Path:
        """The forward path a relay passes on after removing itself (RFC 821 §3.6)."""
        return Path(self.mailbox, self.route[1:], self.params)

    def with_hop_prepended(self, host: str) -> Path:
        """The reverse path with the relaying host added in front (RFC 821 §3.6)."""
        return Path(self.mailbox, (host, *self.route), self.params)


@lru_cache(maxsize=1024)
def parse_path(text: str, *, smtputf8: bool = False, null_ok: bool = True,
               postmaster_ok: bool = False) -> Path:
    """Parse ``<…>`` into a :class:`Path` (RFC 5321 §4.1.2), checking the §4.5.3.1 limits.

    ``smtputf8`` allows non-ASCII local parts and domains (RFC 6531 §3.3).
    ``null_ok`` accepts ``<>`` (only valid as a reverse path); ``postmaster_ok``
    accepts the bare ``<Postmaster>`` that RCPT TO must take (§4.1.1.3).
    Raises ValueError whose message says what is wrong.  Remembered (a Path is a value):
    a server sees the same senders and recipients message after message.
    """
    text = text.strip()
    if not (text.startswith("<") and text.endswith(">")):
        raise ValueError("the address must be enclosed in angle brackets <…>")
    if len(text.encode("utf-8")) > MAX_PATH:
        raise ValueError(f"path longer than {MAX_PATH} octets")
    inner = text[1:-1]
    if inner == "":
        if not null_ok:
            raise ValueError("the null path <> is not allowed here")
        return Path("")
    route, mailbox = _split_route(inner, smtputf8) if inner.startswith("@") else ((), inner)
    if postmaster_ok and not route and mailbox.lower() == "postmaster":
        return Path(mailbox)
    _check_mailbox(mailbox, smtputf8)
    return Path(mailbox, route)


def _split_route(inner: str, smtputf8: bool) -> tuple[tuple[str, ...], str]:
    if not inner.startswith("@"):
        return (), inner
    adl, sep, mailbox = inner.partition(":")
    if not sep:
        raise ValueError("a source route must end with ':' before the mailbox")
    hops = []
    for hop in adl.split(","):
        if not hop.startswith("@") or not _is_domain(hop[1:], smtputf8):
            raise ValueError(f"bad source-route hop {hop!r}: expected @domain")
        hops.append(hop[1:])
    return tuple(hops), mailbox


def _check_mailbox(mailbox: str, smtputf8: bool) -> None:
    local, at, domain = mailbox.rpartition("@")
    if not at or not local:
        raise ValueError("the mailbox must have the form local-part@domain")
    if not smtputf8 and not mailbox.isascii():
        raise ValueError("non-ASCII characters need the SMTPUTF8 extension")
    if len(local.encode("utf-8")) > MAX_LOCAL_PART:
        raise ValueError(f"local part longer than {MAX_LOCAL_PART} octets")
    dot, quoted = (_DOT_STRING_UTF8, _QUOTED_UTF8) if smtputf8 else (_DOT_STRING, _QUOTED)
    if not (dot.match(local) or quoted.match(local)):
        raise ValueError(f"bad local part {local!r}")
    if not (_is_domain(domain, smtputf8) or _ADDRESS_LITERAL.match(domain)):
        raise ValueError(f"bad domain {domain!r}")


def _is_domain(domain: str, smtputf8: bool) -> bool:
    if not domain or len(domain.encode("utf-8")) > MAX_DOMAIN:
        return False
    return (_DOMAIN_UTF8 if smtputf8 else _DOMAIN).fullmatch(domain) is not None


@lru_cache(maxsize=1024)
def path_argument(argument: str, keyword: str) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    """The path text and the parameters of ``FROM:<path> params`` (MAIL) or ``TO:<path>
    params`` (RCPT): :func:`split_path_argument`, then :func:`parse_params`.  Remembered
    (both are values): a server reads the same arguments message after message.  Raises
    ValueError like them."""
    path_text, param_text = split_path_argument(argument, keyword)
    return path_text, parse_params(param_text)


def split_path_argument(argument: str, keyword: str) -> tuple[str, str]:
    """Split ``FROM:<path> params`` into the path text and the parameter text.

    ``keyword`` is ``"FROM"`` or ``"TO"``; it is case-insensitive (RFC 5321
    §2.4).  A space after the colon is tolerated, as most servers do, although
    the grammar has none.  Raises ValueError on a missing keyword or bracket.
    """
    head, colon, rest = argument.partition(":")
    if not colon or head.strip().upper() != keyword:
        raise ValueError(f"expected {keyword}:<address>")
    rest = rest.lstrip(" ")
    end = _closing_bracket(rest)
    return rest[: end + 1], rest[end + 1:].strip(" ")


def _closing_bracket(text: str) -> int:
    if not text.startswith("<"):
        raise ValueError("the address must be enclosed in angle brackets <…>")
    if '"' not in text and "\\" not in text:
        end = text.find(">")        # nothing quoted or escaped: the first ">" closes it
        if end < 0:
            raise ValueError("missing closing '>'")
        return end
    quoted = escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ">" and not quoted:
            return i
    raise ValueError("missing closing '>'")


def parse_params(text: str) -> tuple[tuple[str, str | None], ...]:
    """ESMTP parameters ``KEY[=VALUE]`` separated by spaces (RFC 5321 §4.1.2).

    Keywords are returned upper-cased; raises ValueError for malformed ones.
    """
    params = []
    for word in text.split():
        key, eq, value = word.partition("=")
        if not _ESMTP_KEYWORD.match(key) or (eq and not _ESMTP_VALUE.match(value)):
            raise ValueError(f"malformed parameter {word!r}")
        params.append((key.upper(), value if eq else None))
    return tuple(params)
