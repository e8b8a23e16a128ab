"""FTP's small syntaxes: command lines, host-port pairs, listings, ASCII line ends.

RFC 959 §5.3 gives the command syntax (a verb of up to four letters, a space,
an argument, CRLF); §4.1.2 the host-port of PORT and of the 227 reply;
RFC 2428 §2–§3 the extended forms of EPRT and the 229 reply; RFC 3659 §7 the
machine-readable MLSD facts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .files import Entry

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: RFC 959 sets no limit; 512 octets is what common servers accept (and plenty for a path).
MAX_COMMAND_LINE = 512


@dataclass(frozen=True)
class Command:
    """A parsed command line: the verb in capitals and its argument text (may hold spaces)."""

    verb: str
    arg: str

    @property
    def args(self) -> tuple[str, ...]:
        return (self.arg,) if self.arg else ()


def parse_command(line: bytes) -> Command:
    """``RETR my file.txt\\r\\n`` → ``Command("RETR", "my file.txt")`` (RFC 959 §5.3.1:
    the argument is everything after the first space, spaces included)."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    verb, _, arg = text.partition(" ")
    return Command(verb.upper(), arg)


def host_port(numbers: tuple[int, ...]) -> tuple[str, int]:
    """``(h1,h2,h3,h4,p1,p2)`` → (``"h1.h2.h3.h4"``, p1·256+p2), RFC 959 §4.1.2."""
    return ".".join(str(n) for n in numbers[:4]), numbers[4] * 256 + numbers[5]


def port_numbers(host: str, port: int) -> str:
    """The inverse: ``"192.0.2.7", 50001`` → ``"192,0,2,7,195,81"``."""
    return ",".join([*host.split("."), str(port // 256), str(port % 256)])


def parse_port(arg: str) -> tuple[str, int] | None:
    """PORT's argument, or None if it is not six numbers 0–255 (RFC 959 §4.1.2)."""
    parts = arg.split(",")
    if len(parts) != 6 or not all(p.strip().isdigit() for p in parts):
        return None
    numbers = tuple(int(p) for p in parts)
    if any(n > 255 for n in numbers):
        return None
    return host_port(numbers)


def parse_eprt(arg: str) -> tuple[str, str, int] | None:
    """EPRT's ``|proto|address|port|`` (RFC 2428 §2) → (proto, address, port), or None."""
    if len(arg) < 2:
        return None
    fields = arg[1:].split(arg[0])
    if len(fields) != 4 or fields[3] or not fields[2].isdigit() or not fields[1]:
        return None
    port = int(fields[2])
    return (fields[0], fields[1], port) if 0 < port < 65536 else None


_PASV = re.compile(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)")
_EPSV = re.compile(r"\((.)\1\1(\d+)\1\)")


def parse_pasv(text: str) -> tuple[str, int] | None:
    """The host and port in a 227 reply's text (RFC 959 §4.1.2; RFC 1123 §4.1.2.6: find
    the six numbers anywhere in the text)."""
    found = _PASV.search(text)
    if not found:
        return None
    numbers = tuple(int(n) for n in found.groups())
    return host_port(numbers) if all(n < 256 for n in numbers) else None


def parse_epsv(text: str) -> int | None:
    """The port in a 229 reply's ``(|||port|)`` (RFC 2428 §3)."""
    found = _EPSV.search(text)
    return int(found.group(2)) if found else None


def to_ascii(data: bytes) -> bytes:
    """A file as TYPE A sends it: every line end becomes CRLF (RFC 959 §3.1.1.1, NVT-ASCII).
    A file stored with LF ends grows by one octet per line."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def from_ascii(data: bytes) -> bytes:
    """What TYPE A stores: CRLF back to the server's own line end (LF)."""
    return data.replace(b"\r\n", b"\n")


def list_line(entry: Entry) -> str:
    """One line of LIST in the ``ls -l`` form most servers send (RFC 959 leaves it free);
    the month in English whatever the machine's locale, as servers send it."""
    mode = "drwxr-xr-x" if entry.is_dir else "-rw-r--r--"
    when = entry.modified
    return (f"{mode} 1 ftp ftp {entry.size:>8} {MONTHS[when.month - 1]} {when:%d %H:%M} "
            f"{entry.name}")


def mlsd_line(entry: Entry) -> str:
    """One line of MLSD: facts, a space, the name (RFC 3659 §7.2, §7.5)."""
    kind = "dir" if entry.is_dir else "file"
    size = "" if entry.is_dir else f"size={entry.size};"
    return f"type={kind};{size}modify={entry.modified:%Y%m%d%H%M%S}; {entry.name}"


def mdtm_stamp(when: datetime) -> str:
    """MDTM's time-val, YYYYMMDDHHMMSS in UTC (RFC 3659 §2.3)."""
    return f"{when:%Y%m%d%H%M%S}"


def lines_block(lines: list[str]) -> bytes:
    """A listing as it crosses the data connection: each line ends in CRLF."""
    return "".join(line + "\r\n" for line in lines).encode("utf-8")
