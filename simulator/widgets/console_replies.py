"""Reading a live server's replies: where a reply ends and what kind of reply it is.

A simulated session's engine records each line with its explanation; a real
socket gives only text.  These pure functions decide when a reply is
complete (so the console stops reading) and pick an explanation key for a
live line from the protocol's own rules.
"""
from __future__ import annotations

from simulator.locale import has

#: POP3 commands whose positive reply is a multi-line block ending in "." (RFC 1939 §3);
#: LIST and UIDL only without an argument.
_POP3_BLOCKS = {"CAPA", "RETR", "TOP"}
_POP3_BLOCKS_BARE = {"LIST", "UIDL"}


def _verb(command: str) -> tuple[str, str]:
    words = command.split(maxsplit=1)
    return (words[0].upper() if words else ""), (words[1] if len(words) > 1 else "")


def _smtp_done(lines: list[str]) -> bool:
    """RFC 5321 §4.2.1: the last line of a reply has a space (not '-') after the code."""
    last = lines[-1]
    return len(last) < 4 or last[3] != "-"


def _pop3_done(command: str, lines: list[str]) -> bool:
    verb, argument = _verb(command)
    block = verb in _POP3_BLOCKS or (verb in _POP3_BLOCKS_BARE and not argument)
    if not block or not lines[0].startswith("+OK"):
        return True
    return len(lines) > 1 and lines[-1] == "."


def _imap_done(command: str, lines: list[str]) -> bool:
    """RFC 9051 §2.2.2: the tagged line ends a command; '+' asks the client to go on."""
    tag = command.split(" ", 1)[0]
    last = lines[-1]
    if not command:
        return True                    # the greeting is one untagged line
    return last.startswith((tag + " ", "+"))


def reply_done(protocol: str, command: str, lines: list[str]) -> bool:
    """Whether ``lines`` are the whole reply to ``command`` ("" for the greeting).

    POP2 (RFC 937) has no end marker for a message's text, so it relies on
    the client's quiet period; other protocols say where a reply ends.
    """
    if not lines:
        return False
    if protocol == "SMTP":
        return _smtp_done(lines)
    if protocol == "POP3":
        return _pop3_done(command, lines) if command else True
    if protocol == "IMAP":
        return _imap_done(command, lines)
    return False


def _reply_kind(protocol: str, text: str) -> str:
    if protocol == "SMTP":
        return f"smtp_{text[:1]}" if text[:1] in "2345" and text[:1] else "other"
    if protocol in ("POP3", "POP2"):
        return "pop_ok" if text.startswith("+") else "pop_err" if text.startswith("-") \
            else "other"
    if protocol == "IMAP":
        head = text.split(" ", 2)
        if head[0] == "*":
            return "imap_untagged"
        if head[0] == "+":
            return "imap_continuation"
        return f"imap_{head[1].lower()}" if len(head) > 1 and head[1] in ("OK", "NO", "BAD") \
            else "other"
    return "other"


def live_explain(protocol: str, command: str, text: str, client: bool) -> str:
    """An explanation key for a live line: the command's own text, or the reply's class."""
    if client:
        verb, _ = _verb(text.split(" ", 1)[1] if protocol == "IMAP" and " " in text else text)
        key = f"{protocol.lower()}.cmd.{verb}"
        return key if has(key, "en") else "ui.console.live.command"
    return f"ui.console.live.{_reply_kind(protocol, text)}"
