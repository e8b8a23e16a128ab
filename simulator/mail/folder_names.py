"""Folder names: which are valid, and their reversible spelling on disk.

Every store (in memory or Maildir) accepts the same names, so a scenario
that works in the simulator works with ``mailsim serve --maildir`` too.  A
name is Unicode text with ``/`` between the levels of the hierarchy; it is
valid when:

- no level is empty (``a//b``, ``/a``);
- it holds no control character (RFC 9051 §5.1: names are Net-Unicode,
  RFC 5198, which has none; a NUL could never reach a file name) and no LIST
  wildcard ``*`` or ``%`` (RFC 3501 §5.1.1 warns against them);
- it has at most :data:`MAX_LEVELS` levels (Dovecot's limit too);
- its spelling on disk fits one file name (:data:`MAX_STORAGE_OCTETS`).

On disk a folder is a Maildir++ subfolder (the layout Dovecot and Courier
read): one directory ``.<levels joined by ".">`` next to the INBOX's
``cur/ new/ tmp/``.  Each level is spelt in modified UTF-7 (RFC 3501 §5.1.3,
Dovecot's default storage spelling, pure ASCII on any file system), and the
two characters that would make the spelling ambiguous are escaped as
``\\`` + two hex digits, as Dovecot's listescape plugin does: ``.`` (the
level separator) and ``\\`` itself.  So ``dot.name`` is ``.dot\\2ename`` and
``dot/name`` is ``.dot.name``: two folders, two directories.
"""
from __future__ import annotations

import re
import unicodedata

from simulator.protocols.imap import mutf7

DELIMITER = "/"
#: Levels of hierarchy a name may have (``a/b/c`` has three).
MAX_LEVELS = 16
#: Octets of the on-disk spelling: a file name has at most 255 (NAME_MAX), one is the leading dot.
MAX_STORAGE_OCTETS = 254
_ESCAPED = {".": "\\2e", "\\": "\\5c"}
_UNESCAPE = re.compile(r"\\([0-9a-fA-F]{2})")


def problem(name: str) -> tuple[str, dict] | None:
    """Why ``name`` cannot be a folder: ``(reason key, params)``, or None if it can.

    The reason keys are ``name_empty_level``, ``name_bad_char``,
    ``name_too_deep`` and ``name_too_long`` (explained as ``mail.store.*``).
    """
    levels = name.split(DELIMITER)
    if not all(levels):
        return "name_empty_level", {"folder": name}
    bad = next((c for c in name if _forbidden(c)), None)
    if bad is not None:
        return "name_bad_char", {"char": f"U+{ord(bad):04X}"}
    if len(levels) > MAX_LEVELS:
        return "name_too_deep", {"levels": len(levels), "limit": MAX_LEVELS}
    octets = len(storage_name(name))
    if octets > MAX_STORAGE_OCTETS:
        return "name_too_long", {"octets": octets, "limit": MAX_STORAGE_OCTETS}
    return None


def _forbidden(char: str) -> bool:
    # Cc: C0, DEL and C1 controls; Cs: a lone surrogate cannot be stored as UTF-16.
    return char in "*%" or unicodedata.category(char) in ("Cc", "Cs")


def storage_name(name: str) -> str:
    """The Maildir++ subfolder name (without its leading dot) for a valid folder ``name``."""
    return ".".join(_escape(mutf7.encode(level)) for level in name.split(DELIMITER))


def folder_name(storage: str) -> str | None:
    """The folder name of a Maildir++ subfolder, or None if mailsim did not write it."""
    try:
        name = DELIMITER.join(mutf7.decode(_UNESCAPE.sub(_hex, level))
                              for level in storage.split("."))
    except ValueError:
        return None
    return name if problem(name) is None and storage_name(name) == storage else None


def _escape(level: str) -> str:
    return "".join(_ESCAPED.get(c, c) for c in level)


def _hex(match: re.Match) -> str:
    return chr(int(match.group(1), 16))
