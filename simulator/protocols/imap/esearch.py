"""SEARCH result options and the ESEARCH response (RFC 4731, RFC 9051 §6.4.4, §7.3.4),
and the saved search result ``$`` (SEARCHRES, RFC 5182, part of RFC 9051 §6.4.4.1).

``SEARCH RETURN (MIN MAX COUNT) UNSEEN`` asks the server for a *summary*
instead of every number: the first and the last unseen message and how many
there are.  A phone that only shows "17 unread" needs nothing more.  The
answer is one untagged ``* ESEARCH (TAG "A1") MIN 2 MAX 40 COUNT 17``; the
tag says which command it belongs to, so it stays unambiguous even when
several searches are pipelined (RFC 4731 §3.2).  ``RETURN ()`` means
``RETURN (ALL)``, where ALL is a sequence set (``2:5,9``), shorter than the
old ``* SEARCH 2 3 4 5 9``.

``RETURN (SAVE)`` keeps the result in the session; a later command can name
it as ``$`` (``FETCH $ (FLAGS)``, ``UID COPY $ Archive``) without the client
ever seeing the numbers (RFC 5182 §2).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .formatter import render
from .lexer import ParseError
from .parser import shown
from .responses import data
from .sequence import compress
from .types import Atom

if TYPE_CHECKING:
    from .parser import Command
    from .session import IMAPServer

RETURN_OPTIONS = ("MIN", "MAX", "ALL", "COUNT", "SAVE")


def split_return(args: tuple | list) -> tuple[tuple[str, ...] | None, list]:
    """``(options, criteria)``: options None when the command has no RETURN.

    ``RETURN ()`` is ``RETURN (ALL)`` (RFC 4731 §3.1); an unknown option is a
    syntax error (BAD), as the grammar of RFC 9051 §9 ``search-return-opt`` allows
    only the ones the server announced.
    """
    if not (args and isinstance(args[0], Atom) and args[0].upper() == "RETURN"):
        return None, list(args)
    if len(args) < 2 or not isinstance(args[1], list):
        raise ParseError("syntax.search_return")
    options = []
    for value in args[1]:
        if not isinstance(value, Atom) or value.upper() not in RETURN_OPTIONS:
            raise ParseError("syntax.search_return_option", option=shown(value))
        options.append(value.upper())
    return tuple(dict.fromkeys(options)) or ("ALL",), list(args[2:])


def saved_uids(options: tuple[str, ...], hits: list) -> set[int]:
    """The UIDs SAVE keeps: all hits, or only the MIN/MAX ones when SAVE comes with
    MIN and/or MAX but neither ALL nor COUNT (RFC 5182 §2.4)."""
    if not hits:
        return set()
    if {"MIN", "MAX"} & set(options) and not {"ALL", "COUNT"} & set(options):
        chosen = set()
        if "MIN" in options:
            chosen.add(hits[0].uid)
        if "MAX" in options:
            chosen.add(hits[-1].uid)
        return chosen
    return {c.uid for c in hits}


def answer(s: IMAPServer, cmd: Command, options: tuple[str, ...] | None, found: list[int]) -> None:
    """The untagged result: ``* SEARCH`` (rev1 without RETURN), ``* ESEARCH`` otherwise,
    nothing at all for ``RETURN (SAVE)`` alone (RFC 5182 §2.1)."""
    if options is None and not s.rev2:
        payload = b"SEARCH" + b"".join(b" %d" % n for n in found)
        s.say(data("SEARCH", payload, count=len(found)))
        return
    options = options or ("ALL",)
    if options == ("SAVE",):
        return
    s.say(data("ESEARCH", esearch_payload(cmd.tag, cmd.uid, options, found),
               count=len(found), options=" ".join(options)))


def esearch_payload(tag: str, uid: bool, options: tuple[str, ...], found: list[int]) -> bytes:
    """``ESEARCH (TAG "t") [UID] MIN n MAX n ALL set COUNT n`` (RFC 4731 §3.1, §3.2):
    MIN, MAX and ALL are left out when nothing matched; COUNT is then 0."""
    out = b"ESEARCH (TAG " + render(tag) + b")" + (b" UID" if uid else b"")
    if found and "MIN" in options:
        out += b" MIN %d" % min(found)
    if found and "MAX" in options:
        out += b" MAX %d" % max(found)
    if found and "ALL" in options:
        out += b" ALL " + compress(found).encode()
    if "COUNT" in options:
        out += b" COUNT %d" % len(found)
    return out


def uses_saved(cmd: Command) -> bool:
    """Whether a command names the saved result ``$`` (RFC 5182 §2.1)."""
    return any(isinstance(a, Atom) and a == "$" for a in _flat(cmd.args))


def saves(cmd: Command) -> bool:
    """Whether a SEARCH has the SAVE option (so it writes the saved result)."""
    if cmd.base != "SEARCH":
        return False
    try:
        options, _ = split_return(cmd.args)
    except ParseError:
        return False
    return bool(options) and "SAVE" in options


def _flat(values) -> list:
    out = []
    for value in values:
        out.extend(_flat(value) if isinstance(value, list) else [value])
    return out
