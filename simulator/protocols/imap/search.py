"""SEARCH and UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4): the server finds messages.

The search keys form a small language: keys side by side must all match
(AND), ``OR a b`` and ``NOT a`` combine them, parentheses group.  The
client gets back numbers (or UIDs) only, never the messages, so a phone
can find one mail among thousands without downloading any of them.
Text keys match case-insensitively as substrings, in decoded headers and
decoded text parts (the stdlib ``email`` package does the decoding).

Keys nest (``NOT``, ``OR``, parentheses) at most :data:`MAX_DEPTH` deep: RFC
3501 sets no limit, but a client's deepest real search is an OR chain over a
few fields or terms; a deeper one is answered BAD rather than exhausting the
stack of the parser and of the predicate it builds.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from .._base import CommandTable
from . import addresses, binary, esearch, mimeparts
from . import bodystructure as bs
from .lexer import ParseError
from .outcome import HANDLERS
from .parser import Command, astring, flag, number, search_date, sequence_set, shown
from .responses import Response, tagged
from .types import Atom

if TYPE_CHECKING:
    from .session import IMAPServer

Test = Callable[["Candidate"], bool]
FLAG_KEYS = {"ANSWERED": "\\Answered", "DELETED": "\\Deleted", "DRAFT": "\\Draft",
             "FLAGGED": "\\Flagged", "SEEN": "\\Seen"}
ADDRESS_KEYS = ("BCC", "CC", "FROM", "TO", "SUBJECT")
DATE_KEYS = ("BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE")
#: How deep NOT, OR and parentheses may nest in one SEARCH (see the module docstring).
MAX_DEPTH = 100
#: How many keys one SEARCH may hold: each is tried on every message, so the
#: cost is keys × messages; a client's real searches have a few dozen at most.
MAX_KEYS = 250


class Candidate:
    """One message under test, with lazily parsed header and text.

    What a key computes from the message is kept for the other keys: a SEARCH
    may name FROM a thousand times, and decoding the header for each of them
    took minutes where the texts are now compared (casefolded once).
    """

    def __init__(self, number: int, uid: int, record, recent: bool) -> None:
        self.number, self.uid, self.record, self.recent = number, uid, record, recent
        self._msg = None
        self._kept: dict[tuple[str, str], Any] = {}

    def _once(self, kind: str, name: str, compute: Callable[[], Any]) -> Any:
        key = (kind, name)
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def folded(self, kind: str, name: str = "") -> list[str]:
        """The texts a key of ``kind`` searches (header, address, body, text), casefolded:
        matching is case-insensitive substring search (RFC 3501 §6.4.4)."""
        key = ("folded " + kind, name.lower())
        hit = self._kept.get(key)
        if hit is None:
            hit = self._kept[key] = [t.casefold() for t in self._texts(kind, name)]
        return hit

    def _texts(self, kind: str, name: str) -> list[str]:
        if kind == "header":
            return self.header(name)
        if kind == "address":
            return self.address_texts(name)
        body = self.body_text()
        if kind == "body":
            return [body]
        return [bs.split_header(self.record.data)[0].decode("utf-8", "replace"), body]

    @property
    def flags(self) -> set[str]:
        return self.record.flags

    def _header_view(self):
        """The header only: the body is not parsed to search a header (nor can its
        nesting exhaust anything)."""
        if self._msg is None:
            self._msg = mimeparts.parse_header(bs.split_header(self.record.data)[0])
        return self._msg

    def header(self, name: str) -> list[str]:
        return self._once("header", name.lower(), lambda: [
            _decoded(v) for v in self._header_view().get_all(name, [])])

    def address_texts(self, name: str) -> list[str]:
        """What FROM/TO/CC/BCC search in (RFC 3501 §6.4.4): the header as decoded, and
        each address parsed — its display name (decoded), its group name and its
        ``local@domain`` with comments and folding removed."""
        msg = self._header_view()
        texts = self.header(name)
        for value in msg.get_all(name, []):
            for a in addresses.parse(str(value)):
                texts += [_decoded(t) for t in (a.name, a.mailbox if a.host is None else None) if t]
                if a.host is not None:
                    texts.append(a.addr_spec)
        return texts

    def body_text(self) -> str:
        """The text parts, transfer encoding and charset undone (RFC 3501 §6.4.4 BODY);
        the raw body when there is none."""
        return self._once("body", "", self._body_text)

    def _body_text(self) -> str:
        texts = [_text_of(p) for p in mimeparts.leaves(mimeparts.entity(self.record.data))
                 if p.msg.get_content_maintype() == "text"]
        return "\n".join(texts) if texts else bs.split_header(self.record.data)[1].decode(
            "utf-8", "replace")

    def sent_date(self) -> date | None:
        return self._once("sent", "", self._sent_date)

    def _sent_date(self) -> date | None:
        from email.utils import parsedate_to_datetime
        values = self.header("Date")
        try:
            return parsedate_to_datetime(values[0]).date() if values else None
        except (TypeError, ValueError, IndexError):
            return None


def _text_of(part: mimeparts.Entity) -> str:
    try:
        octets = binary.transfer_decoded(part)
    except (binary.UnknownCTE, ValueError):    # binascii.Error is a ValueError
        octets = part.body
    try:
        return octets.decode(part.msg.get_content_charset("us-ascii"), "replace")
    except LookupError:                        # a charset Python does not know
        return octets.decode("utf-8", "replace")


def _decoded(value: str) -> str:
    from email.header import decode_header, make_header
    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError):
        return str(value)


def _finds(kind: str, text: str, name: str = "") -> Test:
    """A test: does ``text`` occur, in any case, in what the key of ``kind`` searches?"""
    needle = text.casefold()

    def test(c: Candidate) -> bool:
        for hay in c.folded(kind, name):
            if needle in hay:
                return True
        return False
    return test


#: search key → method(parser, key) → test, for the keys with their own syntax
#: (flag, address and date keys share the generic rules in ``KeyParser.key``).
KEYS: CommandTable[Callable[[KeyParser, str], Test]] = CommandTable("IMAP SEARCH keys")


class KeyParser:
    """Search keys into one predicate (RFC 3501 §9 ``search-key``)."""

    def __init__(self, s: IMAPServer, values: list, depth: int = 0,
                 counted: list[int] | None = None) -> None:
        self.s, self.values, self.depth = s, iter(values), depth
        self.counted = counted if counted is not None else [0]   # keys so far, shared by nesting

    def all(self) -> Test:
        tests = []
        for value in self.values:
            tests.append(self.key(value))
        if not tests:
            raise ParseError("syntax.search_empty")
        if len(tests) == 1:
            return tests[0]             # the usual SEARCH has one key: no wrapper per message
        return lambda c: all(t(c) for t in tests)

    def _next(self, key: str) -> object:
        value = next(self.values, None)
        if value is None:
            raise ParseError("syntax.search_argument", key=key)
        return value

    def _deeper(self) -> int:
        """The depth of a key nested in this one; BAD past :data:`MAX_DEPTH`."""
        if self.depth >= MAX_DEPTH:
            raise ParseError("syntax.search_too_deep", limit=MAX_DEPTH)
        return self.depth + 1

    def _inner(self, name: str) -> Test:
        """The key that NOT or OR applies to, one level deeper."""
        outer, self.depth = self.depth, self._deeper()
        inner = self.key(self._next(name))
        self.depth = outer
        return inner

    def key(self, value: object) -> Test:
        if isinstance(value, list):
            return KeyParser(self.s, value, self._deeper(), self.counted).all()
        if not isinstance(value, Atom):
            raise ParseError("syntax.search_key", key=shown(value))
        self.counted[0] += 1
        if self.counted[0] > MAX_KEYS:
            raise ParseError("syntax.search_too_many", limit=MAX_KEYS)
        name = value.upper()
        if name[:1].isdigit() or name[:1] in ("*", "$"):
            return self._numbers(value, by_uid=False)
        if name in KEYS:
            return KEYS[name](self, name)
        if name in FLAG_KEYS or (name.startswith("UN") and name[2:] in FLAG_KEYS):
            wanted = FLAG_KEYS[name.removeprefix("UN")]
            return (lambda c: wanted not in c.flags) if name.startswith("UN") else (
                lambda c: wanted in c.flags)
        if name == "SUBJECT":
            return _finds("header", astring(self._next(name)), name)
        if name in ADDRESS_KEYS:
            return _finds("address", astring(self._next(name)), name)
        if name in DATE_KEYS:
            return self._date(name, search_date(self._next(name)).date())
        raise ParseError("syntax.search_key", key=name)

    def _numbers(self, value: object, by_uid: bool) -> Test:
        view = self.s.view
        if value == "$":                     # the saved result (RFC 5182 §2.1)
            saved = self.s.saved
            return lambda c: c.uid in saved
        seqset = sequence_set(value)
        if by_uid:
            wanted = set(seqset.select(view.uids, view.largest_uid()))
            return lambda c: c.uid in wanted
        numbers = set(seqset.resolve(view.exists))
        return lambda c: c.number in numbers

    def _date(self, name: str, when: date) -> Test:
        def day(c: Candidate) -> date | None:
            return c.sent_date() if name.startswith("SENT") else c.record.internal_date.date()
        compare = {"BEFORE": lambda d: d < when, "ON": lambda d: d == when,
                   "SINCE": lambda d: d >= when}[name.removeprefix("SENT")]
        return lambda c: (d := day(c)) is not None and compare(d)

    @KEYS.command("ALL")
    def _k_ALL(self, name: str) -> Test:
        return lambda c: True

    @KEYS.command("NOT")
    def _k_NOT(self, name: str) -> Test:
        inner = self._inner(name)
        return lambda c: not inner(c)

    @KEYS.command("OR")
    def _k_OR(self, name: str) -> Test:
        first, second = self._inner(name), self._inner(name)
        return lambda c: first(c) or second(c)

    @KEYS.command("UID")
    def _k_UID(self, name: str) -> Test:
        return self._numbers(self._next(name), by_uid=True)

    @KEYS.command("CHARSET")
    def _k_CHARSET(self, name: str) -> Test:
        charset = astring(self._next(name)).upper()
        if charset not in ("US-ASCII", "UTF-8"):
            raise ParseError("syntax.search_charset", charset=charset)
        return lambda c: True

    @KEYS.command("KEYWORD")
    def _k_KEYWORD(self, name: str) -> Test:
        word = flag(self._next(name))
        return lambda c: word in c.flags

    @KEYS.command("UNKEYWORD")
    def _k_UNKEYWORD(self, name: str) -> Test:
        word = flag(self._next(name))
        return lambda c: word not in c.flags

    @KEYS.command("HEADER")
    def _k_HEADER(self, name: str) -> Test:
        field, text = astring(self._next(name)), astring(self._next(name))
        return _finds("header", text, field)

    @KEYS.command("BODY")
    def _k_BODY(self, name: str) -> Test:
        return _finds("body", astring(self._next(name)))

    @KEYS.command("TEXT")
    def _k_TEXT(self, name: str) -> Test:
        return _finds("text", astring(self._next(name)))

    @KEYS.command("LARGER")
    def _k_LARGER(self, name: str) -> Test:
        size = number(self._next(name))
        return lambda c: len(c.record.data) > size

    @KEYS.command("SMALLER")
    def _k_SMALLER(self, name: str) -> Test:
        size = number(self._next(name))
        return lambda c: len(c.record.data) < size

    @KEYS.command("NEW")
    def _k_NEW(self, name: str) -> Test:
        return lambda c: c.recent and "\\Seen" not in c.flags

    @KEYS.command("OLD")
    def _k_OLD(self, name: str) -> Test:
        return lambda c: not c.recent

    @KEYS.command("RECENT")
    def _k_RECENT(self, name: str) -> Test:
        return lambda c: c.recent


def candidates(s: IMAPServer) -> Iterator[Candidate]:
    view = s.view
    for n, uid in enumerate(view.uids, 1):
        yield Candidate(n, uid, view.record(uid), uid in view.recent)


@HANDLERS.command("SEARCH", "UID SEARCH")
def do_search(s: IMAPServer, cmd: Command) -> Response:
    """``* SEARCH n...`` (IMAP4rev1), ``* ESEARCH ...`` with RETURN or in IMAP4rev2
    (RFC 4731, RFC 9051 §6.4.4); SAVE keeps the result for ``$`` (RFC 5182)."""
    options, criteria = esearch.split_return(cmd.args)
    saving = bool(options) and "SAVE" in options
    try:
        test = KeyParser(s, criteria).all()
    except ParseError:
        if saving:
            s.saved = set()              # a failed SEARCH ... SAVE empties $ (RFC 5182 §2.1)
        raise
    hits = [c for c in candidates(s) if test(c)]
    if saving:
        s.saved = esearch.saved_uids(options, hits)
    esearch.answer(s, cmd, options, [c.uid if cmd.uid else c.number for c in hits])
    return tagged(cmd.tag, "completed", name=cmd.name)
