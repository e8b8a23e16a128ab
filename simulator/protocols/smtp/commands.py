"""Command lines: splitting ``VERB argument`` and the HELP text of each command.

RFC 5321 §4.1.1: a command is a verb of four letters or more, case-insensitive,
optionally followed by one space and an argument, ended by CRLF.  HELP text
lives here next to each command's syntax (the aiosmtpd habit); the wire text
is English, the explanation for students is ``smtp.cmd.<VERB>`` in the
locale files.
"""
from __future__ import annotations

from dataclasses import dataclass

#: RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
MAX_COMMAND_LINE = 512


@dataclass(frozen=True)
class CommandHelp:
    syntax: str          # sent as "214 2.0.0 Syntax: …" and "501 5.5.4 Syntax: …"
    rfc: str             # where the command is defined


HELP: dict[str, CommandHelp] = {
    "HELO": CommandHelp("HELO <domain>", "RFC 5321 4.1.1.1"),
    "EHLO": CommandHelp("EHLO <domain>", "RFC 5321 4.1.1.1"),
    "MAIL": CommandHelp("MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME|BINARYMIME] "
                        "[SMTPUTF8]",
                        "RFC 5321 4.1.1.2"),
    "RCPT": CommandHelp("RCPT TO:<forward-path>", "RFC 5321 4.1.1.3"),
    "DATA": CommandHelp("DATA", "RFC 5321 4.1.1.4"),
    "RSET": CommandHelp("RSET", "RFC 5321 4.1.1.5"),
    "VRFY": CommandHelp("VRFY <user or mailbox>", "RFC 5321 4.1.1.6"),
    "HELP": CommandHelp("HELP [command]", "RFC 5321 4.1.1.8"),
    "NOOP": CommandHelp("NOOP [string]", "RFC 5321 4.1.1.9"),
    "QUIT": CommandHelp("QUIT", "RFC 5321 4.1.1.10"),
    "STARTTLS": CommandHelp("STARTTLS", "RFC 3207 4"),
    "AUTH": CommandHelp("AUTH <mechanism> [initial-response]", "RFC 4954 4"),
    "BDAT": CommandHelp("BDAT <chunk-size> [LAST]", "RFC 3030 2"),
}


def help_text(topic: str | None) -> str | None:
    """The HELP reply text for ``topic`` (a verb) or the command list; None if unknown."""
    if not topic:
        return "Commands: " + " ".join(HELP) + "\nFor more: HELP <command>"
    entry = HELP.get(topic.upper())
    if entry is None:
        return None
    return f"Syntax: {entry.syntax}\nSee {entry.rfc}"


def split_command(text: str) -> tuple[str, str]:
    """``"mail FROM:<a@b>"`` → ``("MAIL", "FROM:<a@b>")``; the verb upper-cased."""
    verb, _, argument = text.partition(" ")
    return verb.upper(), argument.strip(" ")


def has_non_ascii(text: str) -> bool:
    return not text.isascii()
