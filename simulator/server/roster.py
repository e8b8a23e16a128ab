"""A class's accounts for ``mailsim serve``: a roster file or N numbered students.

``--class ROSTER.csv`` reads one student per row: login, name and an optional
password.  The file may come from a spreadsheet: comma, semicolon or tab
separated, UTF-8 with or without a byte-order mark, with or without a header
row (``login,name,password`` or ``логин;имя;пароль``).  ``--students N`` makes student01 … studentNN.

A student without a password gets a generated one, and every login with its
password goes to the teacher's file (``--passwords``), readable by its owner
only.  The next start reads that file first, so a restart during a lesson
keeps every password the students were given.
"""
from __future__ import annotations

import csv
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

#: No 0/O, 1/l/I: a password is read off a sheet of paper and typed by hand.
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 10
HEADER = ("login", "name", "password")
#: The first cell of a header row, as teachers write it in either language.
HEADER_WORDS = ("login", "user", "username", "логин", "имя входа", "пользователь")
#: A login is a local part a mail client can type without quoting (RFC 5321 §4.1.2 Atom).
LOGIN = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class RosterError(Exception):
    """A roster that cannot be used: ``key`` and ``params`` name the problem for ``t()``."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Student:
    login: str              # the local part; the address is login@domain
    name: str = ""
    password: str = ""


def numbered(count: int) -> list[Student]:
    """student01 … studentNN (at least two digits, so the names sort as numbers)."""
    if count < 1:
        raise RosterError("serve.class.bad_count", count=count)
    width = max(2, len(str(count)))
    return [Student(f"student{n:0{width}d}", f"Student {n}") for n in range(1, count + 1)]


def read_roster(path: str | os.PathLike) -> list[Student]:
    """The students of a roster file, in its order (see the module's docstring)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError("serve.class.unreadable", path=str(path),
                          reason=getattr(exc, "strerror", None) or exc) from None
    rows = [row for row in csv.reader(text.splitlines(), _dialect(text)) if any(row)]
    if rows and rows[0] and rows[0][0].strip().lower() in HEADER_WORDS:
        rows = rows[1:]
    students, seen = [], set()
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row] + ["", ""]
        login, name, password = cells[0], cells[1], cells[2]
        if not LOGIN.fullmatch(login):
            raise RosterError("serve.class.bad_login", path=str(path), row=number, login=login)
        if login.lower() in seen:
            raise RosterError("serve.class.duplicate", path=str(path), login=login)
        seen.add(login.lower())
        students.append(Student(login, name, password))
    if not students:
        raise RosterError("serve.class.empty", path=str(path))
    return students


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel           # one column, or nothing to tell by: plain commas


def with_passwords(students: list[Student], saved: str | os.PathLike) -> list[Student]:
    """Every student with a password: the roster's, else the saved one, else a new one.

    The result is written to ``saved`` (mode 0600: the teacher's eyes only).
    """
    known = {s.login.lower(): s.password for s in _read_saved(Path(saved))}
    done = [s if s.password else Student(s.login, s.name, known.get(s.login.lower())
                                         or _generate()) for s in students]
    _write_saved(Path(saved), done)
    return done


def _generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def _read_saved(path: Path) -> list[Student]:
    if not path.exists():
        return []
    try:
        return read_roster(path)
    except RosterError:
        return []           # a damaged file is replaced; the roster's passwords still rule


def _write_saved(path: Path, students: list[Student]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)           # an older file may have been readable by others
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows((s.login, s.name, s.password) for s in students)


def default_passwords_path(roster: str | None) -> Path:
    """Beside the roster (``class.csv`` → ``class-passwords.csv``), else ``class-passwords.csv``."""
    if roster:
        path = Path(roster)
        return path.with_name(f"{path.stem}-passwords.csv")
    return Path("class-passwords.csv")
