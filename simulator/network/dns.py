"""An in-memory authoritative DNS for the simulated network.

Theory of operation.  Mail is routed by DNS (RFC 5321 §5.1): a sending MTA
asks for the MX records of the recipient's domain, sorts them by preference
(lowest first, equal preferences in random order), and looks up the address
of each exchanger.  When a domain has no MX at all, its own A/AAAA record is
the "implicit MX" with preference 0.  A single MX "0 ." (RFC 7505, null MX)
says the domain accepts no mail.  Submission clients may find their server
through SRV records (RFC 6186).

Zones are written in ordinary BIND zone-file syntax (RFC 1035 §5) and parsed
by dnspython.  Every question the network asks is returned as a
:class:`Lookup`, so the trace can show each query and its answer.
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.zone
import dns.zonefile

from simulator.locale import t
from simulator.scenarios.model import Zone

RCODES = ("NOERROR", "NXDOMAIN", "SERVFAIL")
FAULT_RCODES = ("SERVFAIL", "NXDOMAIN")
QTYPES = ("A", "AAAA", "MX", "SRV", "TXT", "NS", "CNAME", "SOA", "PTR")
_MAX_CNAME_HOPS = 8     # a CNAME loop must not hang the simulation


class ZoneError(ValueError):
    """A zone text that cannot be loaded, located in the scenario file.

    ``str()`` reads "<source>, line N: <what was wrong; what was expected>"
    in the default language; :meth:`message` gives either language.
    """

    def __init__(self, source: str, line: int, key: str, **params: str) -> None:
        self.source, self.line, self.key, self.params = source, line, key, params
        super().__init__(self.message())

    def message(self, lang: str | None = None) -> str:
        what = t(f"dns.zone_error.{self.key}", lang, **self.params)
        return t("dns.zone_error.where", lang, source=self.source, line=self.line, what=what)


@dataclass(frozen=True)
class Lookup:
    """One query and its authoritative answer (recorded as one trace Step)."""

    qname: str
    qtype: str
    rcode: str
    answers: tuple[str, ...] = ()

    def question(self) -> str:
        """The question as dig shows it, e.g. ``b.test. IN MX?``."""
        return f"{self.qname} IN {self.qtype}?"

    @property
    def rdata(self) -> tuple[str, ...]:
        """The data part of each answer (``10 mx1.b.test.``), without name, TTL, class, type."""
        return tuple(line.split(None, 4)[4] for line in self.answers)

    def records(self, rtype: str) -> list[str]:
        """The data of the answers of type ``rtype`` (a CNAME chain's own lines left out)."""
        fields = [line.split(None, 4) for line in self.answers]
        return [f[4] for f in fields if f[3] == rtype]

    def texts(self) -> list[bytes]:
        """Each TXT answer as one string, its character-strings joined (RFC 7208 §3.3,
        RFC 6376 §3.6.2.2)."""
        return [b"".join(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, data).strings)
                for data in self.records("TXT")]

    def summary(self) -> str:
        """A one-line answer: the rdata, the rcode on failure, or ``(no records)`` (NODATA)."""
        if self.rcode != "NOERROR":
            return self.rcode
        return ", ".join(self.rdata) if self.answers else "(no records)"

    @property
    def key(self) -> str:
        """The locale key that explains this lookup to a student."""
        if self.rcode != "NOERROR":
            return f"dns.rcode.{self.rcode}"
        return f"dns.query.{self.qtype}" if self.answers else "dns.rcode.NODATA"


@dataclass(frozen=True)
class Exchanger:
    """One mail exchanger of a route; ``implicit`` when it is the domain's own A record."""

    preference: int
    host: str
    address: str | None
    implicit: bool = False


@dataclass(frozen=True)
class MailRoute:
    """How to reach a mail domain (RFC 5321 §5.1), with every lookup that decided it.

    ``error`` is ``NXDOMAIN``, ``SERVFAIL`` (temporary: try again later),
    ``NULLMX`` (RFC 7505: the domain takes no mail), ``NOADDRESS`` (no MX and
    no address either) or ``None``.
    """

    domain: str
    exchangers: tuple[Exchanger, ...]
    lookups: tuple[Lookup, ...]
    error: str | None = None

    @property
    def temporary(self) -> bool:
        """Whether the failure may go away (RFC 5321 §5.1: SERVFAIL means queue and retry)."""
        return self.error == "SERVFAIL"


def _name(text: str) -> dns.name.Name:
    """An absolute name from user input with or without the trailing dot."""
    return dns.name.from_text(text.strip(), origin=dns.name.root)


def _display(name: dns.name.Name) -> str:
    return name.to_text().lower()


class _LineTracker(dns.tokenizer.Tokenizer):
    """A tokenizer that remembers on which line the last token stood.

    dnspython counts a newline as soon as it reads it, even when it only
    peeks at it to end a token, so its own line numbers are one too far for
    an error in the last field of a line.  We record the token's own line.
    """

    token_line = 1

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        fresh = self.ungotten_token is None
        token = super().get(want_leading, want_comment)
        if fresh:
            peeked_newline = token.is_eol() or self.ungotten_char == "\n"
            self.token_line = self.line_number - (1 if peeked_newline else 0)
        return token


def _problem(detail: str, line_text: str) -> tuple[str, dict[str, str]]:
    """Map a dnspython syntax error to a locale key and its parameters."""
    detail = re.sub(r"^.*?:\d+: ", "", detail)     # dnspython's own "file:line: " prefix
    rtype = next((w.upper() for w in line_text.split() if w.upper() in QTYPES), "")
    if detail.startswith("unknown rdatatype"):
        word = detail.split("'")[1] if "'" in detail else detail
        return ("bad_ttl" if word[:1].isdigit() else "unknown_type"), {"word": word}
    if "expecting an integer" in detail or "expecting an identifier" in detail:
        return "bad_rdata", {"type": rtype or "?", "form": _form(rtype)}
    if "malformed" in detail or "IPv4" in detail or "IPv6" in detail:
        return "bad_address", {"type": rtype or "A"}
    if "parenthes" in detail:
        return "unbalanced", {}
    if "Missing default TTL" in detail:
        return "no_ttl", {}
    return "syntax", {"detail": detail}


def _form(rtype: str) -> str:
    """The shape of a record of this type, with an example (zone-file syntax is not translated)."""
    forms = {"MX": "name [ttl] IN MX preference host, e.g. @ IN MX 10 mx1",
             "A": "name [ttl] IN A address, e.g. mx1 IN A 192.0.2.10",
             "AAAA": "name [ttl] IN AAAA address, e.g. mx1 IN AAAA 2001:db8::10",
             "SRV": "name [ttl] IN SRV priority weight port host, "
                    "e.g. _submission._tcp IN SRV 0 1 587 mail",
             "NS": "name [ttl] IN NS host, e.g. @ IN NS ns1",
             "SOA": "@ IN SOA primary-ns mailbox (serial refresh retry expire minimum)"}
    return forms.get(rtype, "name [ttl] IN type data")


def parse_zone(zone: Zone) -> dns.zone.Zone:
    """Parse a zone with dnspython (names absolute); raise :class:`ZoneError` with the file line."""
    try:
        origin = _name(zone.origin)
    except dns.exception.DNSException:
        raise ZoneError(zone.source, zone.first_line, "bad_origin", origin=zone.origin) from None
    parsed = dns.zone.Zone(origin, dns.rdataclass.IN, relativize=False)
    tok = _LineTracker(zone.text, zone.source)
    try:
        with parsed.writer(True) as txn:
            dns.zonefile.Reader(tok, dns.rdataclass.IN, txn, allow_include=False).read()
        parsed.check_origin()
    except dns.exception.SyntaxError as exc:
        lines = zone.text.splitlines() or [""]
        text = lines[min(tok.token_line, len(lines)) - 1]
        key, params = _problem(str(exc), text)
        raise ZoneError(zone.source, zone.first_line + tok.token_line - 1, key, **params) from None
    except (dns.zone.NoSOA, dns.zone.NoNS, dns.zone.BadZone, KeyError) as exc:
        key = {dns.zone.NoSOA: "no_soa", dns.zone.NoNS: "no_ns"}.get(type(exc), "bad_zone")
        raise ZoneError(zone.source, zone.first_line, key, origin=_display(origin)) from None
    return parsed


class DNS:
    """The authoritative DNS of the simulated internet: all zones, with fault injection."""

    def __init__(self) -> None:
        self._zones: dict[dns.name.Name, dns.zone.Zone] = {}
        self._failures: dict[dns.name.Name, str] = {}
        self._hosts: dict[str, str] | None = None   # cache of hosts()

    # -- configuration -------------------------------------------------------------------
    def add_zone(self, zone: Zone) -> None:
        """Load one zone (BIND syntax, RFC 1035 §5); :class:`ZoneError` if it is malformed."""
        parsed = parse_zone(zone)
        if parsed.origin in self._zones:
            raise ZoneError(zone.source, zone.first_line, "duplicate", origin=_display(parsed.origin))
        self._zones[parsed.origin] = parsed
        self._hosts = None

    def publish_txt(self, name: str, text: str, ttl: int = 3600) -> None:
        """Add a TXT record to the zone that holds ``name`` (a signer publishing its DKIM
        key, RFC 6376 §3.6.2.1); long texts are split into 255-octet strings (RFC 1035 §3.3.14)."""
        owner = _name(name)
        zone = self._zone_for(owner)
        if zone is None:
            raise ValueError(f"no zone holds {_display(owner)}")
        chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT,
                                    " ".join(f'"{chunk}"' for chunk in chunks))
        with zone.writer() as txn:
            txn.add(owner, ttl, rdata)

    def set_failure(self, name: str, rcode: str = "SERVFAIL") -> None:
        """Make every query for ``name`` and its subdomains answer ``rcode`` (fault injection)."""
        if rcode not in FAULT_RCODES:
            raise ValueError(f"rcode must be one of {FAULT_RCODES}, got {rcode!r}")
        self._failures[_name(name)] = rcode

    def clear_failure(self, name: str) -> None:
        """Undo :meth:`set_failure` for exactly this name."""
        self._failures.pop(_name(name), None)

    # -- queries -------------------------------------------------------------------------
    def query(self, qname: str, qtype: str) -> Lookup:
        """The authoritative answer from the zone with the longest matching origin.

        No zone, or a name that does not exist in it → NXDOMAIN (RFC 1035
        §4.1.1); a name that exists with other types only → NOERROR with no
        answers ("NODATA", RFC 2308 §2.2).  CNAMEs are followed (RFC 1034 §3.6.2).
        """
        name, qtype = _name(qname), qtype.upper()
        rdtype = dns.rdatatype.from_text(qtype)
        answers: list[str] = []
        rcode = self._answer(name, rdtype, answers)
        return Lookup(_display(name), qtype, rcode, tuple(answers))

    def _answer(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, out: list[str]) -> str:
        for _hop in range(_MAX_CNAME_HOPS):
            failure = self._failure(name)
            if failure:
                return failure
            zone = self._zone_for(name)
            if zone is None or not _exists(zone, name):
                return "NXDOMAIN"
            node = zone.get_node(name)
            rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype) if node else None
            if rdataset is not None:
                out.extend(_lines(name, rdataset))
                return "NOERROR"
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME) if node else None
            if cname is None:
                return "NOERROR"
            out.extend(_lines(name, cname))
            name = cname[0].target
        return "SERVFAIL"

    def _failure(self, name: dns.name.Name) -> str | None:
        hits = [n for n in self._failures if name.is_subdomain(n)]
        return self._failures[max(hits, key=len)] if hits else None

    def _zone_for(self, name: dns.name.Name) -> dns.zone.Zone | None:
        origins = [o for o in self._zones if name.is_subdomain(o)]
        return self._zones[max(origins, key=len)] if origins else None

    def _address_lookups(self, host: str) -> list[Lookup]:
        """A, then AAAA only when A gave no records (both are recorded for the trace)."""
        first = self.query(host, "A")
        if first.rcode != "NOERROR" or first.answers:
            return [first]
        return [first, self.query(host, "AAAA")]

    def address(self, host: str) -> Lookup:
        """The address lookup of a host: A, or AAAA when the host has no A record."""
        return self._address_lookups(host)[-1]

    def srv(self, service: str, proto: str, domain: str) -> Lookup:
        """An SRV lookup (RFC 2782), e.g. ``("_submission", "_tcp", "a.test")`` as in RFC 6186."""
        labels = [p if p.startswith("_") else "_" + p for p in (service, proto)]
        return self.query(".".join(labels + [domain]), "SRV")

    # -- mail routing --------------------------------------------------------------------
    def mail_route(self, domain: str, rng: random.Random | None = None) -> MailRoute:
        """Where to deliver mail for ``domain`` (RFC 5321 §5.1, RFC 7505).

        ``rng`` shuffles exchangers of equal preference, as §5.1 asks, so
        that load spreads; without one the order is seeded by the domain name,
        so the same scenario always gives the same trace.
        """
        rng = rng or random.Random(_display(_name(domain)))
        mx = self.query(domain, "MX")
        if mx.rcode != "NOERROR":
            return MailRoute(mx.qname, (), (mx,), mx.rcode)
        if not mx.answers:
            return self._implicit_route(mx)
        records = [_mx(rdata) for rdata in mx.rdata]
        if any(host == "." for _pref, host in records):
            return MailRoute(mx.qname, (), (mx,), "NULLMX")
        lookups, exchangers = [mx], []
        for pref, host in _ordered(records, rng):
            found = self._address_lookups(host)
            lookups.extend(found)
            exchangers.append(Exchanger(pref, host, _first_address(found)))
        return MailRoute(mx.qname, tuple(exchangers), tuple(lookups))

    def _implicit_route(self, mx: Lookup) -> MailRoute:
        """No MX: the domain itself, preference 0, is the only exchanger (RFC 5321 §5.1)."""
        found = self._address_lookups(mx.qname)
        lookups = (mx, *found)
        address = _first_address(found)
        if address is None:
            error = found[-1].rcode if found[-1].rcode != "NOERROR" else "NOADDRESS"
            return MailRoute(mx.qname, (), lookups, error)
        return MailRoute(mx.qname, (Exchanger(0, mx.qname, address, implicit=True),), lookups)

    # -- inventory -----------------------------------------------------------------------
    def hosts(self) -> dict[str, str]:
        """Every name with an A record → its (first) address, names without the trailing dot."""
        if self._hosts is None:              # zones change only through add_zone
            self._hosts = self._all_hosts()
        return dict(self._hosts)

    def address_of(self, name: str) -> str | None:
        """The (first) address of ``name`` (any case, no trailing dot), or None: what
        :meth:`hosts` maps it to, without copying the inventory (an MTA asks for every
        Received: line)."""
        if self._hosts is None:
            self._hosts = self._all_hosts()
        return self._hosts.get(name.lower())

    def _all_hosts(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for zone in self._zones.values():
            for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.A):
                out.setdefault(_display(name).rstrip("."), rdataset[0].address)
        return dict(sorted(out.items()))

    def zone_origins(self) -> list[str]:
        """The loaded zones' origins, absolute, sorted."""
        return sorted(_display(origin) for origin in self._zones)


def _exists(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
    """A name exists if it owns records or has descendants (an empty non-terminal, RFC 8020)."""
    return zone.get_node(name) is not None or any(n.is_subdomain(name) for n in zone.nodes)


def _lines(name: dns.name.Name, rdataset) -> list[str]:
    return [f"{_display(name)} {rdataset.ttl} IN {dns.rdatatype.to_text(rdataset.rdtype)} "
            f"{rd.to_text()}" for rd in rdataset]


def _mx(rdata: str) -> tuple[int, str]:
    pref, host = rdata.split()
    return int(pref), host.lower()


def _ordered(records: Iterable[tuple[int, str]], rng: random.Random) -> list[tuple[int, str]]:
    """Sort by preference; shuffle each group of equal preference (RFC 5321 §5.1)."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for pref, host in sorted(records):
        groups.setdefault(pref, []).append((pref, host))
    ordered: list[tuple[int, str]] = []
    for pref in sorted(groups):
        rng.shuffle(groups[pref])
        ordered.extend(groups[pref])
    return ordered


def _first_address(lookups: list[Lookup]) -> str | None:
    last = lookups[-1]
    return last.rdata[0] if last.rcode == "NOERROR" and last.answers else None
