"""FETCH and UID FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5).

The client asks for exactly the data items it needs: FLAGS and ENVELOPE
for a message list, BODYSTRUCTURE to see the parts, ``BODY.PEEK[HEADER]``
to read headers without downloading the body, ``BODY[2]<0.1024>`` for the
first KiB of the second part.  ``BODY[...]`` marks the message \\Seen as a
side effect (the user read it); ``BODY.PEEK[...]`` does not — that is what
a client uses for previews and downloads in the background.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import binary, mimeparts, updates
from . import bodystructure as bs
from .formatter import flag_list, render
from .lexer import ParseError
from .outcome import HANDLERS
from .parser import Command, arity, shown
from .responses import Response, data, tagged
from .types import Atom

if TYPE_CHECKING:
    from .session import IMAPServer

MACROS = {"ALL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
          "FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
          "FULL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"]}
SIMPLE = ("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE",
          "RFC822", "RFC822.HEADER", "RFC822.TEXT")
_SECTION = re.compile(r"(BODY|BODY\.PEEK)\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)*)?(?:\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME))?"
                   r"(?: \((.*)\))?", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    """One requested data item: a simple name or a body section with an optional range."""

    name: str
    section: str | None = None
    start: int | None = None
    length: int | None = None
    peek: bool = False

    @property
    def sets_seen(self) -> bool:
        return (self.section is not None and not self.peek) or self.name in ("RFC822", "RFC822.TEXT")


def parse_items(value: object) -> list[Item]:
    """The FETCH item list: a macro, one item, or a parenthesised list (RFC 3501 §9)."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ParseError("syntax.fetch_items")
    if len(values) == 1 and isinstance(values[0], Atom) and values[0].upper() in MACROS:
        return [Item(n) for n in MACROS[values[0].upper()]]
    # Each item once: "(ENVELOPE ENVELOPE ...)" 500 times over made 128 MB and 100 s of work.
    return list(dict.fromkeys(_item(v) for v in values))


def _item(value: object) -> Item:
    if not isinstance(value, Atom):
        raise ParseError("syntax.fetch_item", item=shown(value))
    upper = value.upper()
    if upper in SIMPLE:
        return Item(upper)
    if upper.startswith("BINARY"):
        item = binary.parse_item(str(value))
        if item is None:
            raise ParseError("syntax.fetch_item", item=shown(value))
        return item
    match = _SECTION.fullmatch(value)
    if match is None or not _PART.fullmatch(match.group(2)):
        raise ParseError("syntax.fetch_item", item=shown(value))
    start = int(match.group(3)) if match.group(3) else None
    length = int(match.group(4)) if match.group(4) else None
    if start is not None and length == 0:
        raise ParseError("syntax.fetch_item", item=shown(value))
    return Item("BODY", match.group(2).upper(), start, length, match.group(1).upper() == "BODY.PEEK")


@HANDLERS.command("FETCH", "UID FETCH")
def do_fetch(s: IMAPServer, cmd: Command) -> Response:
    """One ``* n FETCH (...)`` per message, in mailbox order; UID FETCH always includes UID."""
    arity(cmd.args, 2, 2)
    uids = updates.targets(s, cmd)
    items = parse_items(cmd.args[1])
    if cmd.uid and not any(i.name == "UID" for i in items):
        items.insert(0, Item("UID"))
    view = s.view
    marks_seen = any(i.sets_seen for i in items) and not view.read_only
    names = [i.name for i in items]
    changed = False
    try:
        for uid in uids:
            unseen = "\\Seen" not in view.record(uid).flags
            if marks_seen and view.live(uid) and unseen:
                s.backend.set_flags(s.account, view.name, uid, view.record(uid).flags | {"\\Seen"})
                changed = True
            _fetch_one(s, uid, items, names, with_flags=marks_seen and unseen and view.live(uid))
    except binary.UnknownCTE as err:                  # RFC 3516 §4.3
        return tagged(cmd.tag, "unknown_cte", encoding=err.encoding)
    finally:
        if changed:
            s.hub.notify(view.key, origin=s)
    return tagged(cmd.tag, "completed", name=cmd.name)


def _fetch_one(s: IMAPServer, uid: int, items: list[Item], names: list[str],
               with_flags: bool) -> None:
    """``* n FETCH (...)`` for one message; ``names`` are the items' names, in order."""
    view = s.view
    record = view.record(uid)
    root = None
    parts: list[bytes] = []
    for item in items:
        if item.name in ("ENVELOPE", "BODY", "BODYSTRUCTURE"):
            root = root or mimeparts.entity(record.data)
        parts.append(_value(s, uid, record, item, root))
    if with_flags and "FLAGS" not in names:       # \Seen set as a side effect: say so
        parts.append(b"FLAGS " + flag_list(view.flags(uid, rev1=not s.rev2)))
    if with_flags or "FLAGS" in names:
        view.mark_reported(uid)
    number = view.number_of(uid)
    payload = b"%d FETCH (" % number + b" ".join(parts) + b")"
    s.say(data("FETCH", payload, number=number, uid=uid, items=" ".join(names)))


def _value(s: IMAPServer, uid: int, record, item: Item, root) -> bytes:
    name = item.name
    if isinstance(item, binary.BinaryItem):
        return binary.value(record.data, item)
    if name == "UID":
        return b"UID %d" % uid
    if name == "FLAGS":
        return b"FLAGS " + flag_list(s.view.flags(uid, rev1=not s.rev2))
    if name == "INTERNALDATE":
        return b"INTERNALDATE " + render(internal_date(record.internal_date))
    if name == "RFC822.SIZE":
        return b"RFC822.SIZE %d" % len(record.data)
    if name == "ENVELOPE":
        return b"ENVELOPE " + render(bs.envelope(root.msg))
    if name in ("BODY", "BODYSTRUCTURE") and item.section is None:
        return name.encode() + b" " + render(bs.body_structure(root, name == "BODYSTRUCTURE"))
    if name.startswith("RFC822"):
        header, body = mimeparts.split_header(record.data)
        content = {"RFC822": record.data, "RFC822.HEADER": header, "RFC822.TEXT": body}[name]
        return name.encode() + b" " + render(content)
    return _section(record.data, item)


def _section(data_: bytes, item: Item) -> bytes:
    content = section_bytes(data_, item.section)
    label = f"BODY[{item.section}]"
    if item.start is not None:
        label += f"<{item.start}>"
        end = None if item.length is None else item.start + item.length
        content = content[item.start:end]
    return label.encode() + b" " + render(content)


def section_bytes(raw: bytes, section: str) -> bytes:
    """The octets of ``BODY[section]`` (RFC 3501 §6.4.5); empty for a part that does
    not exist, as no response code or error is defined for it."""
    match = _PART.fullmatch(section)
    path, kind, fields = match.group(1), (match.group(2) or "").upper(), match.group(3)
    numbers = [int(n) for n in path.split(".")] if path else []
    if not numbers and kind in ("", "HEADER", "TEXT", "HEADER.FIELDS", "HEADER.FIELDS.NOT"):
        header, body = mimeparts.split_header(raw)       # no need to parse the MIME tree
        root = mimeparts.Entity(header, body, None)
    else:
        root = mimeparts.entity(raw)
    content = mimeparts.section(root, raw, numbers, kind)
    if kind.startswith("HEADER.FIELDS") and content:
        return bs.header_fields(content, _field_names(fields), kind == "HEADER.FIELDS")
    return content


def _field_names(fields: str | None) -> list[str]:
    """The header-list of HEADER.FIELDS: astrings, quoted or not (RFC 3501 §9)."""
    return [f.strip('"') for f in (fields or "").split()]


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def internal_date(when) -> str:
    """``"17-Jul-1996 02:44:25 -0700"`` (RFC 3501 §9 date-time)."""
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return (f"{when.day:02d}-{MONTHS[when.month - 1]}-{when.year:04d} "
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} "
            f"{sign}{minutes // 60:02d}{minutes % 60:02d}")
