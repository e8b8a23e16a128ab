"""The scenario model: what a scenario file describes, as plain frozen data.

A scenario (``docs/scenarios.md``) lists DNS zones, hosts and their roles,
users, messages to send and when, mailbox reading sessions, faults to inject
and options.  The loader
(:mod:`simulator.scenarios.loader`) turns YAML into these objects, checking
every field; the network (:mod:`simulator.network`) runs them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Roles a host can play.  An MTA relays (port 25, and 587 with ``submission``),
#: an MDA delivers into mailboxes, an MUA is a user's mail client.  ``http`` serves
#: the host's ``pages`` on port 80, ``webmail`` a mail client over HTTP, and a
#: ``browser`` makes the scenario's ``visits``.
ROLES = ("mua", "mta", "mda", "pop3", "pop2", "imap", "http", "webmail", "browser", "ftp")

#: RFC 821 source routes are honoured hop by hop ("honour") or accepted and
#: ignored as RFC 5321 appendix C recommends ("ignore").
SOURCE_ROUTE_MODES = ("ignore", "honour")

FAULT_KINDS = ("node_down", "link_down", "dns", "reply", "nat")

#: ESMTP extensions a host may turn off with ``extensions: {NAME: false}``: the EHLO
#: keywords the SMTP server offers (RFC 5321 §2.2.2).
SMTP_EXTENSIONS = ("8BITMIME", "AUTH", "BINARYMIME", "CHUNKING", "ENHANCEDSTATUSCODES", "HELP",
                   "PIPELINING", "SIZE", "SMTPUTF8", "STARTTLS")

#: Protocols a mail client can read a mailbox with; each is also the host
#: role that must serve it.
SESSION_PROTOCOLS = ("pop3", "pop2", "imap", "ftp")


@dataclass(frozen=True)
class Zone:
    """One DNS zone in BIND zone-file syntax."""

    origin: str
    text: str
    source: str = "<zone>"      # file name for error messages
    first_line: int = 1         # line of the zone text inside that file


@dataclass(frozen=True)
class WebPage:
    """One path of a web server (role ``http``): a body of a media type, or a redirect."""

    path: str
    body: str = ""
    type: str = "text/html; charset=utf-8"
    redirect: str | None = None                 # 301 Moved Permanently to this path
    form: bool = False                          # a POST here echoes the form's fields
    chunked: bool = False                       # sent in chunks, without Content-Length


@dataclass(frozen=True)
class Host:
    """A machine in the network and the roles it plays."""

    name: str                                   # fully qualified, e.g. mx.b.test
    roles: tuple[str, ...]
    domains: tuple[str, ...] = ()               # mail domains this MTA/MDA is final for
    submission: bool = False                    # MTA also listens on 587 with AUTH
    smtp_server: str | None = None              # MUA: its outgoing (submission) server
    user: str | None = None                     # MUA: whose client this is
    shared: str | None = None                   # IMAP: the account whose folders are "Shared/…"
    max_message_size: int | None = None         # SMTP: octets, announced as SIZE (RFC 1870)
    backup_for: tuple[str, ...] = ()            # domains this MTA is a store-and-forward MX for
    extensions_off: tuple[str, ...] = ()        # ESMTP keywords this host does not offer
    extensions_on: tuple[str, ...] = ()         # keywords off by default it offers (CHUNKING)
    pages: tuple[WebPage, ...] = ()             # http: the static pages it serves
    imap_server: str | None = None              # webmail: where the mailboxes are read
    files: tuple[tuple[str, bytes], ...] = ()   # FTP: (virtual path, content) it serves
    sender_auth: bool = False                   # MTA: check SPF, DKIM, DMARC on port 25 mail
    dkim_selector: str | None = None            # MTA: sign its domains' submitted mail (DKIM)
    open_relay_until: float | None = None       # MTA: relays for anyone until then (misconfig)
    forwards: tuple[tuple[str, str], ...] = ()  # MTA: (local address, address it forwards to)


@dataclass(frozen=True)
class User:
    """A mailbox owner: address, password, display name."""

    address: str
    password: str = ""
    name: str = ""
    quota: int | None = None                    # octets the whole mailbox may hold (all folders)


@dataclass(frozen=True)
class Message:
    """A message that an MUA submits at simulated time ``at`` (seconds)."""

    at: float
    client: str                                 # the MUA host that sends it
    sender: str                                 # From: and, by default, MAIL FROM
    to: tuple[str, ...]
    subject: str = ""
    body: str = ""
    charset: str = "utf-8"
    mail_from: str | None = None                # envelope override, e.g. a source route
    rcpt_to: tuple[str, ...] = ()               # envelope override of the recipients
    photo_size: int = 0                         # attach a photo.jpg of this many octets
    attachments: tuple[str, ...] = ()           # file names: .pdf, .png (real sample files)
    show_parts: bool = False                    # record the MIME parts and sizes
    photo_encoding: str = "base64"              # or "binary": raw octets (RFC 3030 §3)
    password: str | None = None                 # SMTP AUTH password; None: the user's own
    retries: tuple[str, ...] = ()               # passwords typed again after a 535 (RFC 4954)
    message_id: str | None = None               # "<id@host>"; None: the client makes one
    headers: tuple[tuple[str, str], ...] = ()   # extra header fields, in order
    in_reply_to: tuple[str, ...] = ()           # message ids it answers (RFC 5322 §3.6.4)
    references: tuple[str, ...] = ()           # the thread's message ids (RFC 5322 §3.6.4)
    transfer_encoding: str | None = None        # 7bit, 8bit, quoted-printable, base64
    header_encoding: str | None = None          # RFC 2047 "B" or "Q"; None: the charset's


@dataclass(frozen=True)
class SessionStep:
    """One step of an IMAP script: commands written in one go, or an IDLE.

    Several ``commands`` are pipelined (RFC 9051 §5.5): sent together without
    waiting for completions.  An APPEND step has one command and its message
    in ``literal``.  ``idle`` is how many seconds the client stays in
    IDLE (RFC 2177) before DONE; ``pause`` the seconds the user reads first.
    """

    commands: tuple[str, ...] = ()
    idle: float | None = None
    pause: float = 0.0
    literal: bytes | None = None     # APPEND's message, sent after the server's "+" (RFC 3501 §7.5)
    sent_copy: bool = False          # APPEND of the message the client sent (known at run time)


@dataclass(frozen=True)
class Session:
    """A mail client reading a mailbox at simulated time ``at`` (seconds).

    Without ``commands`` the client follows its download plan: fetch what
    is new (POP3: by UIDL, RFC 1939 §7) and keep the copies on the server
    (``leave_copy``) or delete them.  With ``commands`` it logs in and sends
    exactly those lines, for replaying textbook sessions and mistakes.
    """

    at: float
    client: str                                 # the MUA host
    protocol: str                               # one of SESSION_PROTOCOLS
    server: str                                 # a host with that role
    user: str                                   # the login: an address or its local part
    password: str | None = None                 # None: the user's password from 'users'
    retries: tuple[str, ...] = ()               # passwords tried again after a refused login
    apop: bool = False                          # POP3: APOP instead of USER/PASS
    stls: bool = False                          # POP3: STLS before logging in (RFC 2595)
    tls: bool = False                           # POP3: port 995, TLS from the start (RFC 8314)
    commands: tuple[str, ...] | None = None     # scripted lines after the login
    leave_copy: bool = True                     # plan mode: keep the messages on the server
    drop: bool = False                          # break the connection instead of QUIT
    pause: float = 0.0                          # seconds the user reads before QUIT (or the drop)
    steps: tuple[SessionStep, ...] = ()         # IMAP: the script as groups, IDLEs and pauses
    passive: bool = True                        # FTP: PASV before a transfer (False: PORT)
    uploads: tuple[tuple[str, bytes], ...] = () # FTP: the client's local files, for STOR


@dataclass(frozen=True)
class VisitStep:
    """One request of a visit: a method and target, a form to send, or raw bytes."""

    method: str = "GET"
    target: str = "/"
    form: tuple[tuple[str, str], ...] | None = None   # sent urlencoded (an HTML form)
    raw: str | None = None                      # sent exactly as written (CRLF line ends)
    chunked: bool = False                       # the form body in chunks (RFC 9112 §7.1)


@dataclass(frozen=True)
class Visit:
    """A browser visiting a web server at simulated time ``at`` (seconds).

    ``keep_alive``: one persistent connection for all requests (the HTTP/1.1
    default, RFC 9112 §9.3); false: ``Connection: close`` on each, so one
    TCP connection per request.  ``pipeline``: write all requests at once
    (RFC 9112 §9.3.2).
    """

    at: float
    client: str                                 # a host with the role browser
    server: str                                 # a host with the role http or webmail
    steps: tuple[VisitStep, ...]
    keep_alive: bool = True
    pipeline: bool = False


@dataclass(frozen=True)
class Fault:
    """Something that goes wrong, from ``start`` until ``end`` (seconds; None = forever).

    ``node_down``: ``node`` does not answer.  ``link_down``: the link
    ``node``–``peer`` carries nothing.  ``dns``: lookups of ``name`` answer
    ``rcode`` (SERVFAIL or NXDOMAIN).  ``reply``: ``node`` answers ``command``
    (or, with ``after: DATA``, the final dot of the message: RFC 5321 §4.1.1.4)
    with ``reply`` for the first ``times`` attempts — only to the SMTP client
    ``client`` and only for transactions to ``recipient``, if given; ``explain``
    ({lang: text}) replaces the generic explanation of that reply.
    """

    kind: str
    node: str | None = None
    peer: str | None = None
    name: str | None = None
    rcode: str = "SERVFAIL"
    command: str | None = None
    after: str | None = None
    reply: str | None = None
    times: int | None = None
    client: str | None = None                   # reply: only to this connecting host
    recipient: str | None = None                # reply: only for this RCPT / transaction
    explain: tuple[tuple[str, str], ...] = ()   # reply: ((lang, text), ...) of the teacher
    start: float = 0.0
    end: float | None = None

    def active(self, now: float) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


@dataclass(frozen=True)
class Options:
    """Knobs of the whole run."""

    source_routes: str = "ignore"
    latency: float = 0.010                       # seconds per link traversal
    retry_schedule: tuple[float, ...] = (60.0, 300.0, 900.0)   # waits between attempts
    start_time: datetime = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    pipelining: bool = True


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, as loaded from one file."""

    name: str
    description: Mapping[str, str] = field(default_factory=dict)   # lang -> one line
    seed: int = 0
    options: Options = Options()
    zones: tuple[Zone, ...] = ()
    hosts: tuple[Host, ...] = ()
    users: tuple[User, ...] = ()
    messages: tuple[Message, ...] = ()
    faults: tuple[Fault, ...] = ()
    sessions: tuple[Session, ...] = ()
    links: tuple[tuple[str, str], ...] = ()     # extra links; every host also reaches "internet"
    visits: tuple[Visit, ...] = ()              # browsers asking web servers (HTTP)
    source: str = "<scenario>"

    def host(self, name: str) -> Host:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)
