"""What a scripted IMAP client will send: steps, commands and their tags.

A script is a list of :class:`ScriptStep`.  A step is either a group of
commands written in *one* go — one command, or several pipelined ones
(RFC 9051 §5.5: the client need not wait for a completion before sending
the next command) — or an IDLE of some seconds (RFC 2177), optionally after
a pause in which the user just reads.  The client waits for every tagged
completion of a group before it starts the next step.

Tags (RFC 3501 §2.2.1) may be written by the scenario ("A1 NOOP") or left
out ("NOOP"); missing ones are generated as A1, A2, … skipping the ones the
script uses itself, so every tag in a session stays unique.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

from .formatter import astring

#: The first word of every command the server knows (UID FETCH starts with UID).
COMMAND_WORDS = frozenset({
    "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "LOGIN", "AUTHENTICATE", "ENABLE", "SELECT",
    "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB",
    "NAMESPACE", "STATUS", "APPEND", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH",
    "STORE", "COPY", "MOVE", "UID", "IDLE"})


@dataclass(frozen=True)
class ClientCommand:
    """One command line; ``literal`` is sent as a synchronising literal at its end.

    With a literal (APPEND's message) the line goes out ending in ``{n}``
    and the client waits for the server's ``+`` before the octets
    (RFC 3501 §4.3, §7.5).
    """

    line: str
    literal: bytes | None = None
    tag: str | None = None                # filled by :func:`assign_tags`
    sasl: bytes | None = None             # AUTHENTICATE's base64 initial response

    @property
    def name(self) -> str:
        """The command word(s): FETCH, UID FETCH, ..."""
        words = self.line.split()
        if words[:1] == ["UID"] and len(words) > 1:
            return "UID " + words[1].upper()
        return words[0].upper() if words else ""

    def wire(self, sasl_ir: bool = False) -> list[bytes]:
        """The bytes to send, split where the client must wait for ``+``.

        AUTHENTICATE puts its credentials on the command line when the server
        offers SASL-IR (RFC 4959 §3), else sends them after the ``+``.
        """
        head = f"{self.tag} {self.line}"
        if self.sasl is not None:
            if sasl_ir:
                return [f"{head} ".encode() + self.sasl + b"\r\n"]
            return [head.encode() + b"\r\n", self.sasl + b"\r\n"]
        if self.literal is None:
            return [head.encode() + b"\r\n"]
        return [f"{head} {{{len(self.literal)}}}\r\n".encode(), self.literal + b"\r\n"]


@dataclass(frozen=True)
class ScriptStep:
    """Commands sent together, or an IDLE; ``pause`` seconds of reading come first."""

    commands: tuple[ClientCommand, ...] = ()
    idle: float | None = None             # seconds in IDLE before DONE; commands is (IDLE,)
    pause: float = 0.0
    needs: str | None = None              # a capability: the step is skipped without it
    needs_messages: bool = False          # skipped when the selected mailbox is empty


def split_tag(line: str) -> tuple[str | None, str]:
    """``("A1", "NOOP")`` for ``"A1 NOOP"``, ``(None, "NOOP")`` for ``"NOOP"``.

    A first word that is a command name is a command; anything else is a tag.
    """
    word, _, rest = line.strip().partition(" ")
    if word.upper() in COMMAND_WORDS or not rest:
        return None, line.strip()
    return word, rest.strip()


def command(line: str, literal: bytes | None = None) -> ClientCommand:
    """A command from a script line, with its tag if the line has one."""
    tag, text = split_tag(line)
    return ClientCommand(text, literal, tag)


def login(user: str, password: str, mechanism: str = "LOGIN") -> ClientCommand:
    """LOGIN with both arguments as atoms or quoted strings (RFC 3501 §6.2.3), or
    ``AUTHENTICATE PLAIN`` with ``NUL user NUL password`` in base64 (RFC 4616 §2)."""
    if mechanism.upper() == "PLAIN":
        token = base64.b64encode(f"\0{user}\0{password}".encode())
        return ClientCommand("AUTHENTICATE PLAIN", sasl=token)
    return ClientCommand(f"LOGIN {astring(user).decode()} {astring(password).decode()}")


def assign_tags(steps: Iterable[ScriptStep], used: set[str] = frozenset()) -> list[ScriptStep]:
    """The same steps with a tag on every command: given ones kept, A1, A2, … for the rest
    (skipping the ``used`` tags of steps already tagged)."""
    steps = list(steps)
    used = set(used) | {c.tag for s in steps for c in s.commands if c.tag}
    counter = _tags(used)
    out = []
    for step in steps:
        tagged = tuple(c if c.tag else ClientCommand(c.line, c.literal, next(counter), c.sasl)
                       for c in step.commands)
        out.append(ScriptStep(tagged, step.idle, step.pause, step.needs, step.needs_messages))
    return out


def _tags(used: set[str]):
    n = 0
    while True:
        n += 1
        if f"A{n}" not in used:
            yield f"A{n}"


def idle_step(seconds: float, pause: float = 0.0) -> ScriptStep:
    """IDLE for ``seconds``, then DONE (RFC 2177 §3)."""
    return ScriptStep((ClientCommand("IDLE"),), idle=seconds, pause=pause)


def is_logout(step: ScriptStep) -> bool:
    return any(c.name == "LOGOUT" for c in step.commands)


def logs_in(step: ScriptStep) -> bool:
    return any(c.name in ("LOGIN", "AUTHENTICATE") for c in step.commands)
