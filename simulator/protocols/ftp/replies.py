"""The FTP reply catalogue: every reply the server can say, in one place.

An FTP reply is a three-digit code and text (RFC 959 §4.2).  The first digit
is the verdict: 1 preliminary (wait for another reply), 2 done, 3 more needed
(send the next command of the sequence), 4 failed for now, 5 failed for good.
A multi-line reply repeats the code with a hyphen on its first line and
without it on the last (``211-Features:`` … ``211 End``).  Each entry's
explanation is ``ftp.reply.<name>`` in the locale files.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: name -> (code, text template)
CATALOGUE: dict[str, tuple[int, str]] = {
    "greeting": (220, "{host} FTP server ready"),
    "user_ok": (331, "Password required for {user}"),
    "login_ok": (230, "User {user} logged in"),
    "login_failed": (530, "Login incorrect"),
    "too_many_failures": (421, "{failures} failed logins, closing the control connection"),
    "pass_first_user": (503, "Login with USER first"),
    "not_logged_in": (530, "Please login with USER and PASS"),
    "pwd": (257, "\"{path}\" is the current directory"),
    "cwd_ok": (250, "Directory changed to {path}"),
    "no_such_dir": (550, "{path}: No such directory"),
    "no_such_file": (550, "{path}: No such file"),
    "is_a_directory": (550, "{path}: Is a directory, not a file"),
    "outside_home": (550, "{arg}: Permission denied (outside your home directory)"),
    "type_ok": (200, "Type set to {type}"),
    "type_unknown": (504, "Type {type} not implemented (use A or I)"),
    "size": (213, "{size}"),
    "mdtm": (213, "{stamp}"),
    "pasv": (227, "Entering Passive Mode ({numbers})."),
    "epsv": (229, "Entering Extended Passive Mode (|||{port}|)"),
    "no_passive_port": (425, "No free port for passive mode, try again later"),
    "port_ok": (200, "{verb} command successful, will connect to {host}:{port}"),
    "port_bad": (501, "{verb}: malformed address {arg!r}"),
    "port_foreign": (504, "{verb}: {host} is not your address, refused (bounce attack)"),
    "eprt_protocol": (522, "Network protocol not supported, use ({family})"),
    "no_data_setup": (425, "Use PORT or PASV first"),
    "opening": (150, "Opening {mode} mode data connection for {what}"),
    "cannot_open": (425, "Can't open data connection to {host}:{port}"),
    "transfer_ok": (226, "Transfer complete ({octets} octets)"),
    "transfer_aborted": (426, "Connection closed; transfer aborted"),
    "stored": (226, "Transfer complete, {path} stored ({octets} octets)"),
    "cannot_store": (553, "{path}: Cannot store here ({reason})"),
    "not_a_directory": (550, "{path}: Not a directory"),
    "epsv_protocol": (522, "Network protocol not supported, use ({family})"),
    "noop": (200, "NOOP ok"),
    "syst": (215, "UNIX Type: L8"),
    "feat": (211, "Features:"),
    "feat_end": (211, "End"),
    "quit": (221, "Goodbye"),
    "bad_arguments": (501, "{verb} takes {needed}"),
    "wrong_state": (503, "{verb} is not allowed now (state {state}; allowed: {allowed})"),
    "unknown_command": (500, "{verb!r}: command not understood"),
    "line_too_long": (500, "Command line too long ({length} octets)"),
    "control_char": (501, "Control characters (NUL among them) are not allowed in a command"),
    "not_implemented": (502, "{verb} not implemented here"),
    "empty_line": (500, "Empty command line"),
}

#: What each command takes, for "bad_arguments" (RFC 959 §5.3.2): (fewest, most, text).
ARG_SYNTAX: dict[str, tuple[int, int, str]] = {
    "USER": (1, 1, "one argument: a user name"),
    "PASS": (0, 1, "one argument: a password"),
    "CWD": (1, 1, "one argument: a directory"),
    "TYPE": (1, 2, "one argument: A or I"),
    "SIZE": (1, 1, "one argument: a file name"),
    "MDTM": (1, 1, "one argument: a file name"),
    "RETR": (1, 1, "one argument: a file name"),
    "STOR": (1, 1, "one argument: a file name"),
    "PORT": (1, 1, "one argument: h1,h2,h3,h4,p1,p2"),
    "EPRT": (1, 1, "one argument: |1|address|port|"),
    "EPSV": (0, 1, "at most one argument"),
    "LIST": (0, 1, "at most one argument: a path"),
    "NLST": (0, 1, "at most one argument: a path"),
    "MLSD": (0, 1, "at most one argument: a directory"),
}
NO_ARGS = (0, 0, "no arguments")


@dataclass(frozen=True)
class Reply:
    """One reply: its code, its text, and the middle lines of a multi-line reply."""

    name: str
    code: int
    text: str
    lines: Sequence[str] = ()              # between "NNN-first" and "NNN last"
    last: str = ""                         # the closing line's text (multi-line only)
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """1yz, 2yz and 3yz are positive (RFC 959 §4.2.1); 4yz and 5yz are not."""
        return self.code < 400

    @property
    def wire(self) -> bytes:
        """The reply's bytes (RFC 959 §4.2: ``NNN text`` or ``NNN-``…``NNN text``)."""
        if not self.lines and not self.last:
            return f"{self.code} {self.text}\r\n".encode()
        middle = "".join(f" {line}\r\n" for line in self.lines)
        return f"{self.code}-{self.text}\r\n{middle}{self.code} {self.last}\r\n".encode()

    @property
    def explain(self) -> str:
        return f"ftp.reply.{self.name}"


def reply(name: str, **params: Any) -> Reply:
    """The catalogue reply ``name`` with its text filled from ``params``."""
    code, template = CATALOGUE[name]
    return Reply(name, code, template.format(**params), params=dict(params))


def multiline(name: str, end: str, lines: Sequence[str], **params: Any) -> Reply:
    """A multi-line reply: ``name``'s first line, ``lines`` indented, ``end``'s text last."""
    code, template = CATALOGUE[name]
    return Reply(name, code, template.format(**params), tuple(lines),
                 CATALOGUE[end][1].format(**params), dict(params))
