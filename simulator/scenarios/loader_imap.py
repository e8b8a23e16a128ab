"""IMAP scripts in ``sessions`` (``docs/scenarios.md``): groups, IDLE and pauses.

An IMAP session's ``commands`` is a list whose items are

* a command line, with or without its tag (``"A1 NOOP"`` or ``"NOOP"``);
* a list of lines: sent together in one write, i.e. pipelined (RFC 9051 §5.5);
* ``{idle: seconds}``: IDLE (RFC 2177) for that long, then DONE;
* ``{pause: seconds}``: the user reads before the next item;
* ``{append_sent: true}``: the copy of the message this client last sent for
  the session's user — the very bytes that went out over SMTP, same Message-ID
  and Date — stored in Sent with \\Seen, as a mail program does after sending;
* ``{append: {folder: Sent, flags: [\\Seen], subject: ..., body: ..., to: [...]}}``:
  the mail program stores a message it wrote (e.g. the copy of a sent
  message) with APPEND.  The message is composed here with
  :func:`simulator.mail.mime.compose` — From the session's user, Date the
  session's start — and goes out as a synchronising literal after the
  server's ``+`` (RFC 3501 §6.3.11, §7.5).

``pipeline: true`` sends every run of plain lines between IDLEs and pauses
as one group.  Each item is checked here so that a mistake names its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from yaml.nodes import MappingNode, Node, SequenceNode

from simulator.scenarios.loader_nodes import Checker
from simulator.scenarios.model import Message, SessionStep, User

STEP_KEYS = ("idle", "pause", "append", "append_sent")
#: Where append_sent files the copy, with which flags (what Thunderbird does).
SENT_FOLDER, SENT_FLAGS = "Sent", ("\\Seen",)
APPEND_KEYS = ("folder", "flags", "subject", "body", "to")
#: RFC 3501 §9 flag: a system flag or a keyword atom.
_FLAG = re.compile(r"\\(?:Seen|Answered|Flagged|Deleted|Draft)|[!#$&'+\-.0-9:;<=>?@A-Z^_`a-z|}~]+",
                   re.IGNORECASE)
_ADDRESS = re.compile(r"[^@\s<>]+@[A-Za-z0-9.-]+")


@dataclass(frozen=True)
class Author:
    """Who writes an APPENDed message, and when (the session's start); ``client``,
    ``at`` and ``messages`` tell which message ``append_sent`` copies."""

    user: User
    when: datetime
    client: str = ""
    at: float = 0.0
    messages: tuple[Message, ...] = ()


def imap_steps(c: Checker, items: list[Node], pipeline: bool,
               author: Author | None = None) -> tuple[SessionStep, ...]:
    """The script's steps; a pause is folded into the step that follows it."""
    steps: list[SessionStep] = []
    pause, joinable = 0.0, False
    for number, item in enumerate(items, start=1):
        if isinstance(item, MappingNode) and _is_append(c, item):
            steps.append(_append(c, item, number, author, pause))
            pause, joinable = 0.0, False
            continue
        if isinstance(item, MappingNode) and _is_append_sent(c, item):
            steps.append(_append_sent(c, item, author, pause))
            pause, joinable = 0.0, False
            continue
        if isinstance(item, MappingNode):
            idle, waited = _timed(c, item, number)
            pause, joinable = pause + waited, False
            if idle is not None:
                steps.append(SessionStep(("IDLE",), idle=idle, pause=pause))
                pause = 0.0
            continue
        group = _group(c, item)
        plain = not isinstance(item, SequenceNode)
        # pipeline: true joins runs of plain lines, never an explicit group or an IDLE.
        if pipeline and plain and joinable and not pause:
            steps[-1] = SessionStep(steps[-1].commands + group, pause=steps[-1].pause)
        else:
            steps.append(SessionStep(group, pause=pause))
        pause, joinable = 0.0, plain
    if pause:
        steps.append(SessionStep((), pause=pause))       # reading before LOGOUT
    return tuple(steps)


def _timed(c: Checker, item: MappingNode, number: int) -> tuple[float | None, float]:
    f = c.mapping(item, "commands", f"commands #{number}", STEP_KEYS)
    if not f:
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    idle = c.get(f, "idle", "positive")
    return idle, c.get(f, "pause", "number", 0.0)


def _is_append(c: Checker, item: MappingNode) -> bool:
    f = c.mapping(item, "commands", "commands", STEP_KEYS)
    if "append" in f and len(f) > 1:
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    return "append" in f


def _is_append_sent(c: Checker, item: MappingNode) -> bool:
    f = c.mapping(item, "commands", "commands", STEP_KEYS)
    if "append_sent" in f and len(f) > 1:
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    return "append_sent" in f


def _append_sent(c: Checker, item: MappingNode, author: Author, pause: float) -> SessionStep:
    """``{append_sent: true}``: APPEND Sent (\\Seen) with the bytes of the message this
    client sent last for the user; they exist only at run time (``SessionStep.sent_copy``)."""
    node = c.mapping(item, "commands", "commands", STEP_KEYS)["append_sent"][1]
    if c.value(node, "append_sent", "bool") is not True:
        c.fail(node, "append_sent_false", key="append_sent")
    address = author.user.address.lower()
    if not any(m.client == author.client and m.sender.lower() == address and m.at < author.at
               for m in author.messages):
        c.fail(node, "append_sent_none", key="append_sent", client=author.client,
               user=author.user.address)
    line = f"APPEND {SENT_FOLDER} ({' '.join(SENT_FLAGS)})"
    return SessionStep((line,), pause=pause, sent_copy=True)


def _append(c: Checker, item: MappingNode, number: int, author: Author | None,
            pause: float) -> SessionStep:
    """``{append: {...}}``: one APPEND with the composed message as its literal."""
    from simulator.mail.mime import compose
    from simulator.protocols.imap import mutf7
    from simulator.protocols.imap.formatter import astring
    node = c.mapping(item, "commands", "commands", STEP_KEYS)["append"][1]
    f = c.mapping(node, "append", f"commands #{number} append", APPEND_KEYS,
                  required=("folder", "subject"))
    folder = c.get(f, "folder", "text")
    if not folder.strip() or "\n" in folder or "\r" in folder:
        c.fail(f["folder"][1], "command_line", key="folder", got=c.show(f["folder"][1]))
    flags = [_flag(c, n) for n in c.items(f["flags"][1], "flags", scalar_ok=True)] \
        if "flags" in f else []
    to = [_address(c, n) for n in c.items(f["to"][1], "to", scalar_ok=True)] if "to" in f else []
    user, when = author.user, author.when
    data = compose(user.address, to or [user.address], c.get(f, "subject", "text"),
                   c.get(f, "body", "text", ""), date=when, sender_name=user.name,
                   message_id=f"{when:%Y%m%d%H%M%S}.append{number}@{user.address.partition('@')[2]}")
    # The simulated client speaks IMAP4rev1: a non-ASCII folder travels in modified UTF-7.
    wire = astring(mutf7.encode(folder.strip())).decode()
    line = "APPEND " + wire + (f" ({' '.join(flags)})" if flags else "")
    return SessionStep((line,), pause=pause, literal=data)


def _flag(c: Checker, node: Node) -> str:
    text = c.value(node, "flags", "text")
    if not _FLAG.fullmatch(text):
        c.fail(node, "imap_flag", key="flags", got=c.show(node))
    return text


def _address(c: Checker, node: Node) -> str:
    text = c.value(node, "to", "text")
    if not _ADDRESS.fullmatch(text):
        c.fail(node, "address", key="to", got=c.show(node))
    return text


def _group(c: Checker, item: Node) -> tuple[str, ...]:
    """One line, or a list of lines sent together."""
    if isinstance(item, SequenceNode):
        lines = tuple(line(c, sub) for sub in item.value)
        if not lines:
            c.fail(item, "empty_list", key="commands")
        return lines
    return (line(c, item),)


def line(c: Checker, item: Node) -> str:
    """A single command line (the client adds CRLF and, if missing, the tag)."""
    if isinstance(item, (SequenceNode, MappingNode)):
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    text = c.value(item, "commands", "text")
    if not text.strip() or "\n" in text or "\r" in text:
        c.fail(item, "command_line", key="commands", got=c.show(item))
    _check_imap_line(c, item, text.strip())
    return text.strip()


_LITERAL = re.compile(r"\{(\d+)\+?\}$")


def _check_imap_line(c: Checker, item: Node, text: str) -> None:
    """The command name is known (with or without a tag: "A1 SELECT", "SELECT"), and no
    literal is typed into the line; an APPEND's message is an ``append:`` item."""
    from simulator.protocols.imap.client_script import COMMAND_WORDS
    from simulator.protocols.imap.framing import MAX_LITERAL
    words = text.split()
    if words[0].upper() not in COMMAND_WORDS and \
            (len(words) < 2 or words[1].upper() not in COMMAND_WORDS):
        typo = words[0] if len(words) < 2 or not _looks_like_tag(words[0]) else words[1]
        allowed = sorted(COMMAND_WORDS)
        c.fail(item, "unknown_command", key="commands", got=f"'{typo}'", protocol="IMAP",
               hint=c.hint(typo.upper(), allowed), allowed=", ".join(allowed))
    literal = _LITERAL.search(text)
    if literal:
        size = int(literal.group(1))
        if size > MAX_LITERAL:
            c.fail(item, "imap_literal_too_big", key="commands", size=size, limit=MAX_LITERAL)
        c.fail(item, "imap_literal", key="commands", size=size)


def _looks_like_tag(word: str) -> bool:
    """A1, L2, t001: letters then digits, as clients write tags (not a command typo)."""
    return bool(re.fullmatch(r"[A-Za-z]{0,4}\d+", word))


def flat(steps: tuple[SessionStep, ...]) -> tuple[str, ...]:
    """Every command line of the script in order (IDLE included)."""
    return tuple(line for step in steps for line in step.commands)
