"""Extended LIST (RFC 5258), LIST-STATUS (RFC 5819) and the SPECIAL-USE options
(RFC 6154 §3); in IMAP4rev2 this *is* LIST (RFC 9051 §6.3.9).

``LIST [(selection options)] reference (pattern ...) [RETURN (return options)]``

* Selection options say *which* names: ``SUBSCRIBED`` (the subscription
  list, even names whose mailbox no longer exists — shown ``\\NonExistent``),
  ``SPECIAL-USE`` (only \\Sent, \\Trash ...), ``REMOTE`` (mailboxes on other
  servers too: we have none) and ``RECURSIVEMATCH``, which also reports a
  matching parent whose *descendant* meets the selection but not the pattern,
  with ``("CHILDINFO" ("SUBSCRIBED"))`` (RFC 5258 §3.5).  RECURSIVEMATCH alone
  or with REMOTE only is a BAD (§3).
* Return options say *what* about them: ``SUBSCRIBED`` adds \\Subscribed,
  ``CHILDREN`` \\HasChildren / \\HasNoChildren, ``STATUS (MESSAGES UNSEEN)``
  a ``* STATUS`` line after each selectable mailbox (RFC 5819 §3) — one
  round trip for the whole folder pane with its unread counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import listing, names
from .backend import DELIMITER
from .lexer import ParseError
from .parser import astring, shown
from .responses import Response, data, tagged
from .types import Atom
from .wildcard import ListPattern

if TYPE_CHECKING:
    from .parser import Command
    from .session import IMAPServer

SELECT_OPTIONS = ("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE")
BASE_SELECT = ("SUBSCRIBED", "SPECIAL-USE")       # what RECURSIVEMATCH may modify
RETURN_OPTIONS = ("SUBSCRIBED", "CHILDREN", "STATUS", "SPECIAL-USE")


@dataclass
class ListRequest:
    """A parsed LIST: options, reference and one or more patterns."""

    reference: str
    patterns: list[str]
    select: set[str] = field(default_factory=set)
    returns: set[str] = field(default_factory=set)
    status: list[str] = field(default_factory=list)
    extended: bool = False


def _option(value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, Atom) or value.upper() not in allowed:
        raise ParseError("syntax.list_option", option=shown(value))
    return value.upper()


def parse(args: tuple) -> ListRequest:
    """The arguments of LIST, basic (RFC 3501 §6.3.8) or extended (RFC 5258 §3)."""
    args = list(args)
    select: set[str] = set()
    extended = bool(args) and isinstance(args[0], list)
    if extended:
        select = {_option(v, SELECT_OPTIONS) for v in args.pop(0)}
        if "RECURSIVEMATCH" in select and not select & set(BASE_SELECT):
            raise ParseError("syntax.list_recursivematch")
    if len(args) not in (2, 4):
        raise ParseError("syntax.arguments", low=2, high=4)
    raw = args[1]
    if isinstance(raw, list):
        if not raw:
            raise ParseError("syntax.list_patterns")
        extended = True
    patterns = [astring(p) for p in (raw if isinstance(raw, list) else [raw])]
    request = ListRequest(astring(args[0]), patterns, select, extended=extended)
    if len(args) == 4:
        _returns(request, args[2], args[3])
    return request


def _returns(request: ListRequest, keyword: object, options: object) -> None:
    """``RETURN (CHILDREN SUBSCRIBED STATUS (MESSAGES UNSEEN))`` (RFC 5258 §3, RFC 5819 §2)."""
    if not (isinstance(keyword, Atom) and keyword.upper() == "RETURN" and isinstance(options, list)):
        raise ParseError("syntax.list_return")
    request.extended = True
    values = iter(options)
    for value in values:
        name = _option(value, RETURN_OPTIONS)
        request.returns.add(name)
        if name == "STATUS":
            items = next(values, None)
            if not isinstance(items, list) or not items:
                raise ParseError("syntax.status_items")
            request.status = [_option(i, listing.STATUS_ITEMS) for i in items]


def do_list_extended(s: IMAPServer, cmd: Command, req: ListRequest) -> Response:
    """One ``* LIST`` per name (and ``* STATUS`` after it when asked), RFC 5258 §3."""
    boxes = {b.name: b for b in s.backend.mailboxes(s.account)}
    subscribed = set(_subscriptions(s))
    reference = names.pattern_from_wire(s, req.reference)
    patterns = [ListPattern(reference + names.pattern_from_wire(s, p)) for p in req.patterns]

    def matches(name: str) -> bool:
        return any(listing.matches(p, name) for p in patterns)

    if "SUBSCRIBED" in req.select:
        chosen = subscribed
    elif "SPECIAL-USE" in req.select:
        chosen = {n for n, b in boxes.items() if b.special_use}
    else:
        chosen = set(boxes)
    listed = sorted((n for n in chosen if matches(n)), key=_order)
    childinfo: set[str] = set()
    if "RECURSIVEMATCH" in req.select:
        for name in (n for n in chosen if not matches(n)):
            parts = name.split(DELIMITER)
            for depth in range(1, len(parts)):
                parent = DELIMITER.join(parts[:depth])
                if matches(parent):
                    childinfo.add(parent)
        listed = sorted(set(listed) | childinfo, key=_order)
    for name in listed:
        _say(s, req, name, boxes, subscribed, name in childinfo)
    return tagged(cmd.tag, "completed", name=cmd.name)


def _order(name: str) -> tuple[bool, str]:
    return name != "INBOX", name


def _subscriptions(s: IMAPServer) -> list[str]:
    """The subscribed names, those of deleted mailboxes too (RFC 3501 §6.3.6): every
    IMAPBackend keeps them, so LSUB and LIST (SUBSCRIBED) need not guess."""
    return ["INBOX" if n.upper() == "INBOX" else n for n in s.backend.subscriptions(s.account)]


def _say(s: IMAPServer, req: ListRequest, name: str, boxes: dict, subscribed: set[str],
         childinfo: bool) -> None:
    box = boxes.get(name)
    attrs = _attributes(req, name, box, boxes, subscribed)
    payload = b"LIST (%s) \"/\" %s" % (" ".join(attrs).encode(), names.to_wire(s, name))
    if childinfo:
        payload += b' ("CHILDINFO" ("SUBSCRIBED"))'
    s.say(data("LIST", payload, name=name, attributes=" ".join(attrs)))
    if req.status and box is not None and box.selectable:
        listing.status_line(s, name, box, req.status)


def _attributes(req: ListRequest, name: str, box, boxes: dict, subscribed: set[str]) -> list[str]:
    """\\NonExistent, \\Noselect, children, special use, \\Subscribed (RFC 5258 §3.4, §4)."""
    attrs = []
    if box is None:
        attrs.append("\\NonExistent")            # implies \Noselect (RFC 5258 §3.4)
    elif not box.selectable:
        attrs.append("\\Noselect")
    if box is not None and ("CHILDREN" in req.returns or "SUBSCRIBED" not in req.select):
        children = any(n.startswith(name + DELIMITER) for n in boxes)
        attrs.append("\\HasChildren" if children else "\\HasNoChildren")
    if box is not None and box.special_use:
        attrs.append(box.special_use)
    if name in subscribed and ({"SUBSCRIBED"} & (req.select | req.returns)):
        attrs.append("\\Subscribed")
    return attrs
