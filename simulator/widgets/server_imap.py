"""IMAP sessions as the server has told them, folded from the trace's lines.

RFC 9051 §7 / RFC 3501 §7: a client knows its selected mailbox only through
what the server says — ``* N EXISTS`` sets the message count, ``* N EXPUNGE``
removes message N and renumbers every later one, ``* N FETCH (FLAGS (…))``
tells a message's flags, and the tagged ``OK`` of SELECT / EXAMINE confirms
the selection (with ``[UIDVALIDITY n]`` and ``[READ-WRITE]`` on the way).
Two sessions on one mailbox can therefore see different things: a laptop
keeps its EXISTS until the server may send it the EXPUNGE (§7.5.1).

Only trace lines are read (the Trace is the contract, docs/architecture.md): the
client's tagged commands are remembered per connection so that a tagged
completion can be matched with what it completed.  :func:`fold` returns a
new :class:`ImapSession` (or the same one when the line tells nothing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from simulator.trace import Step

_NUMBERED = re.compile(r"^\* (\d+) (EXISTS|EXPUNGE|FETCH)\b(.*)$", re.IGNORECASE)
_FLAGS = re.compile(r"\bFLAGS \(([^)]*)\)", re.IGNORECASE)
_UID = re.compile(r"\bUID (\d+)", re.IGNORECASE)
_UIDVALIDITY = re.compile(r"\[UIDVALIDITY (\d+)\]", re.IGNORECASE)
_MODE = re.compile(r"\[(READ-WRITE|READ-ONLY)\]", re.IGNORECASE)
#: Commands that remove messages with untagged EXPUNGE responses (RFC 9051 §6.4.3, RFC 6851).
EXPUNGING = ("EXPUNGE", "UID EXPUNGE", "MOVE", "UID MOVE")


@dataclass(frozen=True)
class Message:
    """One message as the session knows it: sequence number, UID and flags if told."""

    number: int
    uid: int | None = None
    flags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ImapSession:
    """What one IMAP connection has been told about its selected mailbox."""

    user: str = ""
    mailbox: str | None = None
    mode: str = ""                          # READ-WRITE or READ-ONLY, from the tagged OK
    exists: int | None = None
    uidvalidity: int | None = None
    messages: tuple[Message, ...] = ()      # only those the server said something about
    closed: bool = False
    commands: tuple[tuple[str, str, str], ...] = ()   # (tag, command, argument) in flight

    def command(self, tag: str) -> tuple[str, str]:
        """The (command, argument) sent with ``tag`` and not completed yet (or empty)."""
        return next(((c, a) for t, c, a in self.commands if t == tag), ("", ""))

    def running(self, *names: str) -> tuple[str, str] | None:
        """The first command in flight among ``names``, as (command, argument)."""
        return next(((c, a) for _, c, a in self.commands if c in names), None)


def unquote(word: str) -> str:
    """An IMAP astring as the user wrote it: ``"Sent Items"`` → ``Sent Items``."""
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return word[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return word


def split_command(line: str) -> tuple[str, str, str]:
    """``A1 UID FETCH 1:* FLAGS`` → ``("A1", "UID FETCH", "1:* FLAGS")`` (RFC 9051 §2.2.1)."""
    parts = line.split(" ", 3)
    tag = parts[0]
    name = parts[1].upper() if len(parts) > 1 else ""
    rest = parts[2:]
    if name == "UID" and rest:
        name, rest = f"UID {rest[0].upper()}", rest[1:]
    return tag, name, " ".join(rest)


def first_arg(argument: str) -> str:
    """The first astring of a command's argument, unquoted (a mailbox name, a user)."""
    match = re.match(r'"(?:[^"\\]|\\.)*"|\S+', argument.strip())
    return unquote(match.group(0)) if match else ""


def _message(session: ImapSession, number: int) -> Message:
    return next((m for m in session.messages if m.number == number), Message(number))


def _with_message(session: ImapSession, message: Message) -> ImapSession:
    others = tuple(m for m in session.messages if m.number != message.number)
    return replace(session, messages=tuple(sorted((*others, message), key=lambda m: m.number)))


def _expunge(session: ImapSession, number: int) -> ImapSession:
    """RFC 9051 §7.5.1: message N goes, every later sequence number drops by one."""
    kept = tuple(m if m.number < number else replace(m, number=m.number - 1)
                 for m in session.messages if m.number != number)
    exists = None if session.exists is None else max(0, session.exists - 1)
    return replace(session, messages=kept, exists=exists)


def _numbered(session: ImapSession, number: int, kind: str, rest: str) -> ImapSession:
    if kind == "EXISTS":
        kept = tuple(m for m in session.messages if m.number <= number)
        return replace(session, exists=number, messages=kept)
    if kind == "EXPUNGE":
        return _expunge(session, number)
    flags, uid = _FLAGS.search(rest), _UID.search(rest)
    if not (flags or uid):
        return session
    message = _message(session, number)
    if flags:
        message = replace(message, flags=tuple(flags.group(1).split()))
    if uid:
        message = replace(message, uid=int(uid.group(1)))
    return _with_message(session, message)


def _client_line(session: ImapSession, line: str) -> ImapSession:
    tag, name, argument = split_command(line)
    if not name or tag in ("+", "*") or name == "DONE":
        return session
    session = replace(session, commands=(*session.commands, (tag, name, argument)))
    if name in ("SELECT", "EXAMINE"):
        # The old mailbox is left when the new SELECT starts (RFC 9051 §6.3.2).
        session = replace(session, mailbox=None, mode="", exists=None, uidvalidity=None,
                          messages=())
    if name == "LOGIN" and not session.user:
        session = replace(session, user=first_arg(argument))
    return session


def _completed(session: ImapSession, tag: str, status: str, text: str,
               user: str = "") -> ImapSession:
    name, argument = session.command(tag)
    session = replace(session, commands=tuple(c for c in session.commands if c[0] != tag))
    ok = status == "OK"
    if name in ("SELECT", "EXAMINE"):
        mode = _MODE.search(text)
        return replace(session, mailbox=first_arg(argument) if ok else None,
                       mode=mode.group(1).upper() if mode and ok else "")
    if name in ("CLOSE", "UNSELECT") and ok:
        return replace(session, mailbox=None, mode="", exists=None, uidvalidity=None,
                       messages=())
    if name in ("LOGIN", "AUTHENTICATE") and ok and user:
        return replace(session, user=user)
    if name == "LOGOUT":
        return replace(session, closed=True)
    return session


def _server_line(session: ImapSession, line: str, user: str) -> ImapSession:
    numbered = _NUMBERED.match(line)
    if numbered:
        return _numbered(session, int(numbered.group(1)), numbered.group(2).upper(),
                         numbered.group(3))
    head = line.split(" ", 2)
    if head[0] == "*":
        validity = _UIDVALIDITY.search(line)
        if validity:
            return replace(session, uidvalidity=int(validity.group(1)))
        if len(head) > 1 and head[1].upper() == "BYE":
            return replace(session, closed=True)
        return session
    if head[0] == "+" or len(head) < 2:
        return session
    return _completed(session, head[0], head[1].upper(), line, user)


def fold(session: ImapSession, step: Step) -> ImapSession:
    """The session after one IMAP step of its connection (client or server line)."""
    line = (step.line.splitlines() or [""])[0]
    if step.direction == "c2s":
        return _client_line(session, line)
    if step.direction == "s2c":
        return _server_line(session, line, str(step.params.get("user", "")))
    return session
