"""Cyrillic charsets and what happens when a program reads bytes in the wrong one.

Russian text has been written in at least six 8-bit-or-more charsets, and a
letter sent in one and read in another turns into the garbage Russian users
call *krakozyabry* (mojibake): «Привет» written in UTF-8 and read as
windows-1251 becomes «РџСЂРёРІРµС‚».  Nothing in the bytes says which charset
was meant: MIME names it in the ``charset=`` parameter (RFC 2046 §4.1.2), and
a program that ignores or overrides the label shows garbage.  A server does
not "detect and transcode" the charset on the way: it carries octets.

This module computes, never hard-codes, every confusion: the bytes of a text
in charset X, read as Y (:func:`misread`), all pairs at once
(:func:`confusion_table`), the way back from garbage to text
(:func:`repairs`), a statistical guess at the charset of unlabelled bytes with
charset-normalizer (:func:`detect`), and the length of each character in
UTF-8 (:func:`utf8_octets`): 1 octet for ASCII, 2 for Cyrillic, 3 for most
other symbols and 4 outside the Basic Multilingual Plane (RFC 3629 §3) — UTF-8
is not "two bytes per character".
"""
from __future__ import annotations

import codecs
import email.policy
import itertools
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage

import charset_normalizer
from charset_normalizer.cd import coherence_ratio


def _mac_cyrillic_label(name: str) -> codecs.CodecInfo | None:
    """Apple's mail programs label this charset ``x-mac-cyrillic``; Python knows it only as
    ``mac_cyrillic``.  Registering the label lets the stdlib ``email`` package write and
    read it like any other charset."""
    if name.replace("-", "_") == "x_mac_cyrillic":
        return codecs.lookup("mac_cyrillic")
    return None


codecs.register(_mac_cyrillic_label)


@dataclass(frozen=True)
class Charset:
    """A charset by its MIME name (what ``charset=`` says) and Python's codec for it."""

    name: str
    codec: str
    #: locale key of the one-line note on where this charset was (or is) used.
    note: str


#: The Cyrillic charsets of the lab, the current one first.
CYRILLIC: tuple[Charset, ...] = (
    Charset("UTF-8", "utf_8", "encoding.where.utf8"),
    Charset("KOI8-R", "koi8_r", "encoding.where.koi8r"),
    Charset("windows-1251", "cp1251", "encoding.where.cp1251"),
    Charset("IBM866", "cp866", "encoding.where.cp866"),
    Charset("ISO-8859-5", "iso8859_5", "encoding.where.iso88595"),
    Charset("x-mac-cyrillic", "mac_cyrillic", "encoding.where.mac"),
)

_BY_CODEC = {codecs.lookup(c.codec).name: c for c in CYRILLIC}


def charset(name: str) -> Charset:
    """The lab's charset called ``name`` in any spelling Python knows (``koi8-r``, ``CP1251``…).

    Raises ``LookupError`` for a name that is not a charset at all or not one of
    the lab's (the message lists the lab's names).
    """
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        canonical = None
    found = _BY_CODEC.get(canonical) if canonical else None
    if found is None:
        names = ", ".join(c.name for c in CYRILLIC)
        raise LookupError(f"{name!r} is not one of the lab's charsets: {names}")
    return found


def visible(text: str) -> str:
    """``text`` with control characters shown as ``·``: a C1 control decoded from a stray
    octet (ISO-8859-5 maps 0x80–0x9F to them) would otherwise vanish from the screen."""
    return "".join("·" if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" else ch
                   for ch in text)


@dataclass(frozen=True)
class Misreading:
    """Octets written in one charset and read in another: one cell of the confusion table."""

    written_in: Charset
    read_as: Charset
    #: what the reading program shows; octets that mean nothing in ``read_as`` are U+FFFD (�).
    garbled: str
    #: True when re-encoding the garbage as ``read_as`` gives back the original octets,
    #: so the text can be repaired; False when some octets became � and are lost.
    repairable: bool

    @property
    def lost(self) -> int:
        """How many places the reading program could not show at all (�)."""
        return self.garbled.count("\ufffd")


def misread(text: str, written_in: str | Charset, read_as: str | Charset) -> Misreading:
    """``text`` encoded in ``written_in`` and decoded as ``read_as``, as a mail program
    that ignores (or overrides) the charset label would show it."""
    written = written_in if isinstance(written_in, Charset) else charset(written_in)
    reader = read_as if isinstance(read_as, Charset) else charset(read_as)
    data = text.encode(written.codec)
    garbled = data.decode(reader.codec, errors="replace")
    try:
        repairable = garbled.encode(reader.codec) == data
    except UnicodeEncodeError:
        repairable = False
    return Misreading(written, reader, garbled, repairable)


def confusion_table(text: str, charsets: tuple[Charset, ...] = CYRILLIC) -> list[Misreading]:
    """Every ordered pair of different charsets: ``text`` written in one, read as the other."""
    return [misread(text, w, r) for w in charsets for r in charsets if w != r]


@dataclass(frozen=True)
class Repair:
    """A guess at how garbage came about, and the text it gives back."""

    written_in: Charset
    read_as: Charset
    text: str
    #: 0…1: how much the repaired text looks like ordinary text (see :func:`_plausibility`).
    score: float
    #: 0…1: how well its letter frequencies fit Russian (charset-normalizer); 0 for a text
    #: too short to tell.  Breaks ties such as KOI8-R↔windows-1251, where both ways
    #: round give letters in a plausible case pattern.
    russian: float


_RU_LETTERS = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_ORDINARY = frozenset(" ,.!?;:-—«»()\"'0123456789\r\n\t")


def _plausibility(text: str) -> float:
    """A transparent score, not a language model: the share of characters that are
    Russian letters, Latin letters or ordinary punctuation, minus the share of
    capitals inside a word (garbage from KOI8-R↔windows-1251 swaps the case)."""
    if not text:
        return 0.0
    ordinary = sum(ch.lower() in _RU_LETTERS or ch.isascii() and ch.isalpha()
                   or ch in _ORDINARY for ch in text)
    inner_capitals = sum(b.isupper() and a.isalpha() for a, b in itertools.pairwise(text))
    return max(0.0, (ordinary - inner_capitals) / len(text))


def repairs(garbled: str, charsets: tuple[Charset, ...] = CYRILLIC) -> list[Repair]:
    """Ways to undo a misreading: encode the garbage as Y, decode as X, for every X≠Y that
    works without loss; the most plausible first.  The original is not known, so
    this is a ranked guess — exactly what a person with a "change encoding" menu does."""
    found = []
    for read_as in charsets:
        try:
            data = garbled.encode(read_as.codec)
        except UnicodeEncodeError:
            continue
        for written_in in charsets:
            if written_in == read_as:
                continue
            try:
                text = data.decode(written_in.codec)
            except UnicodeDecodeError:
                continue
            found.append(Repair(written_in, read_as, text, _plausibility(text),
                                _russian(text)))
    return sorted(found, key=lambda r: (-round(r.score, 2), -r.russian))


def _russian(text: str) -> float:
    return dict(coherence_ratio(text)).get("Russian", 0.0)


@dataclass(frozen=True)
class Detection:
    """charset-normalizer's best guess for unlabelled octets."""

    #: the lab's name for it (``KOI8-R``), or Python's codec name for another charset.
    charset: str
    #: share of the decoded text that looks like noise (0 best), percent.
    chaos: float
    #: how well letter frequencies fit the language found, percent.
    coherence: float
    language: str


def detect(data: bytes, among: tuple[Charset, ...] | None = None) -> Detection | None:
    """Guess the charset of ``data`` with charset-normalizer, optionally only ``among`` some.

    Detection is statistics: on a short text it is often wrong (KOI8-R bytes of
    one Russian sentence may look like Japanese).  That is why MIME labels the
    charset instead of leaving receivers to guess.
    """
    isolation = [codecs.lookup(c.codec).name for c in among] if among else None
    best = charset_normalizer.from_bytes(data, cp_isolation=isolation).best()
    if best is None:
        return None
    ours = _BY_CODEC.get(codecs.lookup(best.encoding).name)
    return Detection(ours.name if ours else best.encoding, best.percent_chaos,
                     best.percent_coherence, best.language or "")


def utf8_octets(text: str) -> list[tuple[str, int]]:
    """Each character of ``text`` with the number of octets UTF-8 spends on it."""
    return [(ch, len(ch.encode("utf-8"))) for ch in text]


def utf8_summary(text: str) -> dict[int, int]:
    """How many characters of ``text`` take 1, 2, 3 and 4 octets in UTF-8."""
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    for _, octets in utf8_octets(text):
        counts[octets] += 1
    return counts


#: The transfer encodings a text part can travel in (RFC 2045 §6): 8bit needs a server
#: that offers 8BITMIME (RFC 6152); the other two are 7-bit safe.
TRANSFER_ENCODINGS = ("8bit", "quoted-printable", "base64")


def text_part(text: str, charset_name: str, transfer_encoding: str) -> bytes:
    """A ``text/plain`` MIME entity holding ``text`` as it goes on the wire, built by the
    stdlib ``email`` package: the charset label in Content-Type (RFC 2046 §4.1.2), the
    octets encoded by Content-Transfer-Encoding (RFC 2045 §6.7 quoted-printable,
    §6.8 base64), lines ending in CRLF."""
    part = EmailMessage(policy=email.policy.SMTP)
    part.set_content(text, charset=charset(charset_name).name, cte=transfer_encoding)
    del part["MIME-Version"]
    return part.as_bytes()


def read_part(data: bytes, as_charset: str | None = None) -> str:
    """The text of a part made by :func:`text_part`: transfer encoding undone, then the
    octets decoded in the labelled charset — or in ``as_charset``, as a mail program
    with the wrong "encoding" menu setting would (the label ignored).  Line ends come
    back as ``\n``, as a mail program shows them."""
    part = email.message_from_bytes(data, policy=email.policy.SMTP)
    octets = part.get_payload(decode=True)
    name = as_charset or part.get_content_charset()
    return octets.decode(charset(name).codec, errors="replace").replace("\r\n", "\n")

