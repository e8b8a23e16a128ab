"""Command lines drawn from each protocol's real grammar and its state table.

``next_line(state, rng)`` of a :class:`Grammar` returns one line a client
could send in ``state``: mostly a command the state table allows there
(so that random walks reach the deep states: a mail transaction, a
selected mailbox, message text), sometimes any command of the protocol or
an unknown one, with arguments drawn from the syntax of RFC 5321 / 1939 /
937 / 3501 / 959 / 9112 including the awkward corners (empty, over-long, 8-bit, quoted,
out of range).  :mod:`.mutate` then breaks the lines at the byte level.

The grammars read the engines' state tables, never their code, so a
command the table allows and the engine mishandles is found.
"""
from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field

from simulator.protocols.ftp import states as ftp_states
from simulator.protocols.imap import states as imap_states
from simulator.protocols.pop2 import states as pop2_states
from simulator.protocols.pop3 import states as pop3_states
from simulator.protocols.smtp import states as smtp_states

NUL = "\0"

#: How often a line is a command the table allows in the current state.
ON_TABLE = 0.8
#: How often a line is a command that leads to another state (deeper into the session).
FORWARD = 0.5
#: How often an argument is a well-formed one rather than an awkward corner.
GOOD = 0.7
#: How often a QUIT/LOGOUT drawn from the table is really sent (it ends the walk).
LEAVE = 0.15


@dataclass(frozen=True)
class Account:
    """A login the server under test knows (so that walks get past authentication)."""

    user: str
    password: str
    apop_secret: str | None = None
    apop_timestamp: str | None = None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _pick(rng: random.Random, good: tuple[str, ...], awkward: tuple[str, ...]) -> str:
    """Mostly a well-formed value (so the walk goes on), sometimes an awkward one."""
    return rng.choice(good if rng.random() < GOOD else awkward)


def _table_forward(table: dict, state: str) -> tuple[str, ...]:
    """Verbs whose success leads to a state listed later in the table (deeper, by RFC order)."""
    order = [str(s) for s in table]
    if state not in order:
        return ()
    row = dict(table.get(state, {}))
    return tuple(v for v, t in row.items() if not v.startswith("<") and str(
        t if isinstance(t, str) else t.on_ok) in order[order.index(state) + 1:])


def _number(rng: random.Random) -> str:
    if rng.random() < GOOD:
        return rng.choice(("1", "2", "3", "4"))
    return rng.choice(("1", "2", "3", "0", "-1", "01", "99", "4294967296",
                       "99999999999999999999999", "1.5", "x", "\u0661", "\u00b2", "1 2", ""))


def _word(rng: random.Random) -> str:
    return rng.choice(("x", "bob", "INBOX", "Ünïcödé", "a" * 300, "\"quoted\"", "%", "*",
                       "nil", "..", "a/b", "", "(", "{3}", "\\Seen"))


@dataclass
class Grammar:
    """One protocol's command lines, state by state."""

    account: Account
    extra: dict[str, object] = field(default_factory=dict)

    #: Every verb of the protocol (table or not) and some it does not have.
    verbs: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ("XYZZY", "", " ", "HELP ME", "GET / HTTP/1.0", "\u00e9")
    leaving: tuple[str, ...] = ("QUIT",)

    def table_verbs(self, state: str) -> tuple[str, ...]:
        raise NotImplementedError

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        """The allowed verbs that lead to another state (the walk's way deeper)."""
        return ()

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        raise NotImplementedError

    def special(self, state: str, rng: random.Random) -> bytes | None:
        """A line for a state that reads no commands (message text, SASL), or None."""
        return None

    def next_line(self, state: str, rng: random.Random) -> bytes:
        """One CRLF-terminated line a client could send in ``state``."""
        special = self.special(state, rng)
        if special is not None:
            return special
        allowed = self.table_verbs(state)
        forward = [v for v in self.forward_verbs(state) if v not in self.leaving]
        if forward and rng.random() < FORWARD:
            verb = rng.choice(forward)
        elif allowed and rng.random() < ON_TABLE:
            verb = rng.choice(allowed)
            if verb in self.leaving and rng.random() > LEAVE:
                verb = rng.choice(allowed)
        else:
            verb = rng.choice(self.verbs + self.unknown)
        text = self.line(verb, state, rng)
        if rng.random() < 0.1:
            text = text.lower()
        return text.encode("utf-8") + b"\r\n"


# --------------------------------------------------------------------------- SMTP

_SMTP_DOMAINS = ("client.test", "[127.0.0.1]", "[IPv6:::1]", "", "\u00fc.test", "a" * 300,
                 "x..y", "-bad-.test", "[999.1.1.1]")
_SMTP_SENDERS = ("<s@client.test>", "<>", "<@relay.test:s@client.test>", "<\u00fc@x.test>",
                 "s@client.test", "<\"quoted local\"@x.test>", "<a@[127.0.0.1]>", "<",
                 "<a@>", "<@>", "<" + "a" * 70 + "@x.test>", "<a@b@c>", "<a\\@b@x.test>")
_SMTP_PARAMS = ("", " SIZE=100", " SIZE=99999999999999999999", " SIZE=", " SIZE=-1",
                " BODY=8BITMIME", " BODY=7BIT", " BODY=BINARYMIME", " SMTPUTF8", " AUTH=<>",
                " RET=FULL", " X=Y", " =", " SIZE=1 SIZE=2", " NOTIFY=NEVER")


@dataclass
class SMTPGrammar(Grammar):
    """RFC 5321 §4.1 commands with ESMTP parameters (RFC 1870, 6152, 6531), AUTH, STARTTLS."""

    verbs: tuple[str, ...] = smtp_states.COMMANDS + ("EXPN", "BDAT", "TURN", "ETRN", "MAIL FROM")
    recipients: tuple[str, ...] = ("r@foo.com",)

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return tuple(v for v in smtp_states.TRANSITIONS.get(state, {}) if not v.startswith("<"))

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        offered = ("AUTH",) if self.extra.get("auth", True) else ()
        return tuple(v for v in _table_forward(smtp_states.TRANSITIONS, state)
                     if v != "STARTTLS" and (v != "AUTH" or offered))

    def special(self, state: str, rng: random.Random) -> bytes | None:
        if state == smtp_states.State.DATA:
            return rng.choice((b".\r\n", b".\r\n", b"..leading dot\r\n", b"Subject: fuzz\r\n",
                               b"\r\n",
                               b"body \xc3\xa9 8-bit\r\n", b"bare\nLF\r\n", b". \r\n",
                               b"x" * 1200 + b"\r\n", b".\r\n", b".\r\n"))
        if state == smtp_states.State.AUTH:
            a = self.account
            return rng.choice((_b64(a.user), _b64(a.password), _b64(f"\0{a.user}\0{a.password}"),
                               "*", "=", "!!!", _b64("\0\0"), "", _b64("no nul"))).encode() + \
                b"\r\n"
        return None

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        a = self.account
        if verb in ("HELO", "EHLO"):
            return f"{verb} {_pick(rng, _SMTP_DOMAINS[:1], _SMTP_DOMAINS)}"
        if verb == "MAIL":
            sender = _pick(rng, _SMTP_SENDERS[:2], _SMTP_SENDERS)
            return f"MAIL FROM:{sender}{_pick(rng, _SMTP_PARAMS[:2], _SMTP_PARAMS)}"
        if verb == "RCPT":
            to = _pick(rng, tuple(f"<{r}>" for r in self.recipients),
                       ("<postmaster>", "<nobody@nowhere.test>", *_SMTP_SENDERS))
            return f"RCPT TO:{to}{_pick(rng, ('',), _SMTP_PARAMS)}"
        if verb == "AUTH":
            good = f"AUTH PLAIN {_b64(f'{NUL}{a.user}{NUL}{a.password}')}"
            return _pick(rng, (good, "AUTH LOGIN"), (
                               "AUTH PLAIN", "AUTH LOGIN", f"AUTH LOGIN {_b64(a.user)}",
                               "AUTH PLAIN =", "AUTH CRAM-MD5", "AUTH", "AUTH PLAIN !!",
                               f"AUTH PLAIN {_b64(f'other{NUL}{a.user}{NUL}{a.password}')}"))
        if verb in ("VRFY", "EXPN", "HELP", "NOOP"):
            return f"{verb} {_word(rng)}" if rng.random() < 0.7 else verb
        if verb in ("DATA", "RSET", "QUIT", "STARTTLS"):
            return verb if rng.random() < 0.9 else f"{verb} {_word(rng)}"
        return f"{verb} {_word(rng)}".rstrip()


# --------------------------------------------------------------------------- POP3

@dataclass
class POP3Grammar(Grammar):
    """RFC 1939 commands with RFC 2449 CAPA, RFC 2595 STLS, RFC 1225 LAST."""

    verbs: tuple[str, ...] = pop3_states.ALL_COMMANDS + ("AUTH", "XTND", "UTF8")

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return pop3_states.allowed(state)

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        return tuple(v for v in _table_forward(pop3_states.TABLE, state) if v != "STLS")

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        a = self.account
        if verb == "USER":
            return f"USER {_pick(rng, (a.user,), ('nobody', '', 'a b', 'x' * 300))}"
        if verb == "PASS":
            return f"PASS {_pick(rng, (a.password,), ('wrong', '', 'with space'))}"
        if verb == "APOP":
            digest = "0" * 32
            if a.apop_secret and a.apop_timestamp:
                digest = hashlib.md5((a.apop_timestamp + a.apop_secret).encode()).hexdigest()
            return f"APOP {_pick(rng, (a.user,), ('nobody',))} {_pick(rng, (digest,), ('bad', ''))}"
        if verb in ("LIST", "UIDL"):
            return verb if rng.random() < 0.5 else f"{verb} {_number(rng)}"
        if verb in ("RETR", "DELE"):
            return f"{verb} {_number(rng)}"
        if verb == "TOP":
            return f"TOP {_number(rng)} {_number(rng)}"
        return verb if rng.random() < 0.85 else f"{verb} {_word(rng)}"


# --------------------------------------------------------------------------- POP2

@dataclass
class POP2Grammar(Grammar):
    """RFC 937 commands: HELO, FOLD, READ, RETR, ACKS, ACKD, NACK, QUIT."""

    verbs: tuple[str, ...] = pop2_states.ALL_COMMANDS + ("LIST", "USER")

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return pop2_states.allowed(state)

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        return _table_forward(pop2_states.TABLE, state)

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        a = self.account
        if verb == "HELO":
            return _pick(rng, (f"HELO {a.user} {a.password}",),
                         (f"HELO {a.user} wrong", "HELO", f"HELO {a.user}"))
        if verb == "FOLD":
            return f"FOLD {_pick(rng, ('INBOX', a.user), ('other', '', 'a' * 300))}"
        if verb == "READ":
            return "READ" if rng.random() < 0.5 else f"READ {_number(rng)}"
        return verb if rng.random() < 0.9 else f"{verb} {_word(rng)}"


# --------------------------------------------------------------------------- IMAP

_MAILBOXES = ("INBOX", "inbox", "Sent", "Fuzz", "Fuzz/Deep", "\"with space\"", "&AMk-t&AOk-",
              "\"\u00e9t\u00e9\"", "\"\"", "NIL", "{4}\r\nWord", "a" * 300, "\"a\\\\b\"", "%", "*")
_SEQUENCES = ("1", "1:*", "*", "2:4", "1,3", "$", "0", "4294967295", "4294967296", "1:",
              "3:1", "1,*", "x")
_FETCH_ITEMS = ("FLAGS", "UID", "RFC822.SIZE", "BODY[]", "BODY.PEEK[HEADER]", "ENVELOPE",
                "BODYSTRUCTURE", "(FLAGS UID)", "BODY[1]<0.10>", "BODY[TEXT]", "ALL", "FAST",
                "FULL", "BINARY[1]", "BODY[HEADER.FIELDS (SUBJECT FROM)]", "BODY[1.2.3.4]",
                "(", "BODY[", "RFC822", "INTERNALDATE", "MODSEQ")
_SEARCH_KEYS = ("ALL", "SEEN", "UNSEEN", "NOT DELETED", "OR SEEN FLAGGED", "SUBJECT hello",
                "FROM alice", "TEXT \"x y\"", "LARGER 10", "SINCE 1-Mar-2024", "BEFORE x",
                "UID 1:*", "1:3", "HEADER Subject fuzz", "CHARSET UTF-8 BODY \u00e9",
                "(SEEN UNSEEN)", "RETURN (MIN MAX COUNT) ALL", "KEYWORD $x")
_STORE_ITEMS = ("+FLAGS", "-FLAGS.SILENT", "FLAGS", "X")
_FLAGS = ("(\\Seen)", "(\\Deleted)", "(\\Flagged $Label)", "()", "\\Seen", "(\\Bogus)",
          "(\\Recent)")


@dataclass
class IMAPGrammar(Grammar):
    """RFC 3501 / RFC 9051 commands with tags, literals, sequence sets and SEARCH keys."""

    verbs: tuple[str, ...] = imap_states.ALL_COMMANDS + ("UID", "XLIST", "GETQUOTA", "X")
    leaving: tuple[str, ...] = ("LOGOUT",)
    _tag: int = 0

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return tuple(v for v in imap_states.allowed(state) if v != "DONE")

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        return tuple(v for v in _table_forward(imap_states.TABLE, state)
                     if v not in ("STARTTLS", "IDLE", "CLOSE", "UNSELECT"))

    def special(self, state: str, rng: random.Random) -> bytes | None:
        if state == imap_states.IDLE:
            return rng.choice((b"DONE\r\n", b"DONE\r\n", b"done\r\n", b"NOOP\r\n", b"x\r\n"))
        if state == imap_states.SASL:
            a = self.account
            return (rng.choice((_b64(f"\0{a.user}\0{a.password}"), "*", "!!", "",
                                _b64(f"other\0{a.user}\0{a.password}"))) + "\r\n").encode()
        return None

    def tag(self, rng: random.Random) -> str:
        self._tag += 1
        return rng.choice((f"a{self._tag}", f"a{self._tag}", "*", "+", "", "a{1}", "t\u00e9",
                           "a" * 300, "(", "a%"))

    def next_line(self, state: str, rng: random.Random) -> bytes:
        line = super().next_line(state, rng)
        if state in (imap_states.IDLE, imap_states.SASL):
            return line
        return self.tag(rng).encode("utf-8") + b" " + line

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        a = self.account
        plain = _b64(f"{NUL}{a.user}{NUL}{a.password}")
        box = rng.choice(_MAILBOXES)
        pick = rng.choice
        forms = {
            "LOGIN": lambda: pick((f"LOGIN {a.user} {a.password}", f"LOGIN {a.user} wrong",
                                   f"LOGIN \"{a.user}\" \"{a.password}\"", "LOGIN",
                                   f"LOGIN {{{len(a.user)}+}}\r\n{a.user} {a.password}")),
            "AUTHENTICATE": lambda: pick((f"AUTHENTICATE PLAIN {plain}",
                                          "AUTHENTICATE PLAIN", "AUTHENTICATE LOGIN",
                                          "AUTHENTICATE X", "AUTHENTICATE PLAIN =")),
            "SELECT": lambda: pick(("SELECT INBOX", f"SELECT {box}", "SELECT INBOX (CONDSTORE)")),
            "EXAMINE": lambda: f"EXAMINE {pick(('INBOX', box))}",
            "CREATE": lambda: f"CREATE {box}",
            "DELETE": lambda: f"DELETE {box}",
            "RENAME": lambda: f"RENAME {box} {pick(_MAILBOXES)}",
            "SUBSCRIBE": lambda: f"SUBSCRIBE {box}",
            "UNSUBSCRIBE": lambda: f"UNSUBSCRIBE {box}",
            "LIST": lambda: pick(("LIST \"\" *", "LIST \"\" %", f"LIST {box} *",
                                  "LIST (SUBSCRIBED) \"\" * RETURN (CHILDREN)", "LIST \"\" \"\"")),
            "LSUB": lambda: "LSUB \"\" *",
            "STATUS": lambda: f"STATUS {box} {pick(('(MESSAGES UNSEEN UIDNEXT)', '()', '(X)'))}",
            "APPEND": lambda: pick((f"APPEND {box} {{11}}\r\nSubject: x\r\n",
                                    "APPEND INBOX (\\Seen) {11+}\r\nSubject: x\r\n",
                                    "APPEND INBOX {3}\r\nab", "APPEND INBOX")),
            "ENABLE": lambda: pick(("ENABLE IMAP4rev2", "ENABLE CONDSTORE", "ENABLE X")),
            "ID": lambda: pick(("ID NIL", "ID (\"name\" \"fuzz\")", "ID (\"a\")")),
            "FETCH": lambda: f"FETCH {pick(_SEQUENCES)} {pick(_FETCH_ITEMS)}",
            "UID FETCH": lambda: f"UID FETCH {pick(_SEQUENCES)} {pick(_FETCH_ITEMS)}",
            "SEARCH": lambda: f"SEARCH {pick(_SEARCH_KEYS)}",
            "UID SEARCH": lambda: f"UID SEARCH {pick(_SEARCH_KEYS)}",
            "STORE": lambda: f"STORE {pick(_SEQUENCES)} {pick(_STORE_ITEMS)} {pick(_FLAGS)}",
            "UID STORE": lambda: f"UID STORE {pick(_SEQUENCES)} +FLAGS {pick(_FLAGS)}",
            "COPY": lambda: f"COPY {pick(_SEQUENCES)} {box}",
            "UID COPY": lambda: f"UID COPY {pick(_SEQUENCES)} {box}",
            "MOVE": lambda: f"MOVE {pick(_SEQUENCES)} {box}",
            "UID MOVE": lambda: f"UID MOVE {pick(_SEQUENCES)} {box}",
            "UID EXPUNGE": lambda: f"UID EXPUNGE {pick(_SEQUENCES)}",
        }
        form = forms.get(verb)
        if form is not None:
            return form()
        return verb if rng.random() < 0.85 else f"{verb} {_word(rng)}"


# --------------------------------------------------------------------------- FTP

_FTP_FILES = ("incoming/fz.bin", "fz.bin", "incoming", "/", "..", "../..", "/etc/passwd",
              "a/b/c", "\u00fcml\u00e4ut.txt", "x" * 300, "*", "-la", "incoming/../../x",
              "", " ", "fz.bin fz.bin")


@dataclass
class FTPGrammar(Grammar):
    """RFC 959 commands with RFC 2428 EPRT/EPSV and RFC 3659 SIZE/MDTM/MLSD.

    ``extra["active_port"]``: the port the fuzzing client listens on, so that a
    well-formed PORT/EPRT names a place where the server's data connection is taken.
    """

    verbs: tuple[str, ...] = ftp_states.ALL_COMMANDS + ("MKD", "DELE", "ABOR", "REST", "SITE",
                                                        "AUTH", "OPTS", "APPE")

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return ftp_states.allowed(state)

    def forward_verbs(self, state: str) -> tuple[str, ...]:
        return _table_forward(ftp_states.TABLE, state)

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        a = self.account
        port = int(self.extra.get("active_port", 1))
        forms = {
            "USER": lambda: f"USER {_pick(rng, (a.user,), ('nobody', 'a b', 'x' * 300, ''))}",
            "PASS": lambda: f"PASS {_pick(rng, (a.password,), ('wrong', '', 'with space'))}",
            "CWD": lambda: f"CWD {_pick(rng, ('incoming', '/', '..'), _FTP_FILES)}",
            "TYPE": lambda: f"TYPE {_pick(rng, ('A', 'I', 'A N', 'L 8'), ('Q', 'E', 'L 7', ''))}",
            "PORT": lambda: "PORT " + _pick(
                rng, (f"127,0,0,1,{port // 256},{port % 256}",),
                ("10,1,2,3,4,5", "1,2,3", "256,0,0,1,0,1", "127,0,0,1,0,1", "a,b,c,d,e,f",
                 "127,0,0,1,999,1", "")),
            "EPRT": lambda: "EPRT " + _pick(
                rng, (f"|1|127.0.0.1|{port}|",),
                (f"|2|::1|{port}|", "|1|192.0.2.1|21|", "||", "|1|127.0.0.1|0|",
                 "|1|127.0.0.1|70000|", "x", "|1|127.0.0.1|")),
            "EPSV": lambda: "EPSV" + _pick(rng, ("", " 1"), (" 2", " ALL", " x", " 1 2")),
        }
        if verb in forms:
            return forms[verb]()
        if verb in ("SIZE", "MDTM", "RETR", "STOR", "LIST", "NLST", "MLSD", "MKD", "DELE"):
            name = _pick(rng, ("incoming/fz.bin", "fz.bin", "incoming"), _FTP_FILES)
            return f"{verb} {name}".rstrip() if verb not in ("LIST", "NLST", "MLSD") \
                or rng.random() < 0.6 else verb
        return verb if rng.random() < 0.85 else f"{verb} {_word(rng)}"


# --------------------------------------------------------------------------- HTTP

_HTTP_TARGETS = ("/", "/inbox", "/compose", "/message/1", "/message/2", "/nothing",
                 "/message/x", "/message/99999999999999999999", "/%00", "/%zz", "*",
                 "http://mail.example.test/inbox", "/" + "a" * 9000, "/inbox?sent=1", "",
                 "/\u00fc")
_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT",
                 "get", "BREW", "")


def _often(rng: random.Random, good: tuple[str, ...], awkward: tuple[str, ...]) -> str:
    """Like :func:`_pick`, rarer corners: a request has many fields, and one bad field
    ends the connection (400 with Connection: close), so the walk would never get deep."""
    return rng.choice(good if rng.random() < 0.93 else awkward)


@dataclass
class HTTPGrammar(Grammar):
    """RFC 9112 requests for the webmail: request line, header fields, a body.

    ``cookie``: the session the last successful login set, sent back so that walks
    reach the inbox, a message and the send form.
    """

    cookie: str | None = None

    def request(self, rng: random.Random) -> list[bytes]:
        """One request as its lines (the last ones may be the body, not lines)."""
        a = self.account
        forms = {
            "login": lambda: ("POST", "/login",
                              (f"user={_often(rng, (a.user,), ('nobody', '', '%FF'))}"
                               f"&password={_often(rng, (a.password,), ('wrong', '', '%00'))}")),
            "send": lambda: ("POST", "/send",
                             "to=" + _often(rng, ("sink%40example.test",),
                                           ("", "nobody", "%3C%3E", "a" * 300))
                             + "&subject=fz&body=" + _often(rng, ("hello",), ("", "%0D%0A.%0D%0A",
                                                                               "x" * 5000))),
            "logout": lambda: ("POST", "/logout", ""),
            "get": lambda: (_often(rng, ("GET", "HEAD"), _HTTP_METHODS),
                            _often(rng, _HTTP_TARGETS[:5], _HTTP_TARGETS), None),
        }
        kind = rng.choice(("login", "get", "get", "get", "send", "logout") if self.cookie
                          else ("login", "login", "get", "get", "send"))
        method, target, body = forms[kind]()
        version = _often(rng, ("HTTP/1.1",), ("HTTP/1.0", "HTTP/2", "HTTP/1.1x", "", "http/1.1"))
        lines = [f"{method} {target} {version}".strip()]
        if rng.random() < 0.95:
            lines.append(f"Host: {_often(rng, ('mail.example.test',), ('', 'a' * 300, 'x y'))}")
        if self.cookie and rng.random() < 0.9:
            lines.append(f"Cookie: {self.cookie}")
        if rng.random() < 0.1:
            lines.append(rng.choice(("Connection: close", "X: " + "y" * 9000, "Bad Header",
                                     ": empty", "Expect: 100-continue", "Content-Length: x")))
        raw = [(line + "\r\n").encode("utf-8") for line in lines]
        if body is None:
            return raw + [b"\r\n"]
        data = body.encode("utf-8")
        if rng.random() < 0.2:                       # the same body, chunked (RFC 9112 §7.1)
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 7]), data[i:i + 7])
                              for i in range(0, len(data), 7))
            return raw + [b"Content-Type: application/x-www-form-urlencoded\r\n",
                          b"Transfer-Encoding: chunked\r\n", b"\r\n", chunks + b"0\r\n\r\n"]
        return raw + [b"Content-Type: application/x-www-form-urlencoded\r\n",
                      b"Content-Length: %d\r\n" % len(data), b"\r\n", data]

    def table_verbs(self, state: str) -> tuple[str, ...]:
        return ()

    def line(self, verb: str, state: str, rng: random.Random) -> str:
        return verb
