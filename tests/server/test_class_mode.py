"""``mailsim serve`` for a class: roster accounts, passwords kept for the teacher, the LAN.

What a teacher would notice: the roster's students (and only they) can log in,
forgotten passwords are generated once and stay the same after a restart, the
file that holds them is the teacher's alone, students reach each other and the
simulated Internet, and a port the OS refuses is explained, not a traceback.
"""
from __future__ import annotations

import asyncio
import errno
import os
import signal
import smtplib
import stat

import pytest

from simulator.cli import main
from simulator.server.roster import numbered, read_roster, with_passwords

from .conftest import serve_process, serving, unverified
from .test_clients import inbox, wait_for

ROSTER = "\ufefflogin;name;password\r\nivanov;Иван Иванов;\r\npetrova;Мария Петрова;Secret-1\r\n"


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "group 101.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def test_a_spreadsheet_roster_is_read_and_missing_passwords_are_kept_for_the_teacher(
        roster, tmp_path):
    students = read_roster(roster)           # semicolons, a BOM and a header, as Excel saves
    assert [(s.login, s.name, s.password) for s in students] == [
        ("ivanov", "Иван Иванов", ""), ("petrova", "Мария Петрова", "Secret-1")]
    saved = tmp_path / "passwords.csv"
    first = with_passwords(students, saved)
    assert first[1].password == "Secret-1" and len(first[0].password) >= 10
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    again = with_passwords(read_roster(roster), saved)          # a restart in the lesson
    assert again == first


def test_a_russian_header_row_is_a_header(tmp_path):
    path = tmp_path / "класс.csv"
    path.write_text("логин;имя;пароль\nsidorov;Пётр Сидоров;\n", encoding="utf-8")
    assert [s.login for s in read_roster(path)] == ["sidorov"]


def test_numbered_students_sort_as_numbers():
    logins = [s.login for s in numbered(12)]
    assert logins[0] == "student01" and logins[-1] == "student12" and logins == sorted(logins)


def test_only_the_class_logs_in_and_students_write_to_each_other_and_outside(roster, tmp_path):
    saved = tmp_path / "pw.csv"
    with serving(roster=str(roster), passwords_path=str(saved), host="0.0.0.0") as live:
        password = read_roster(saved)[0].password
        port = live.settings["submission"]
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.starttls(context=unverified())
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("student", "student")       # the README's demo account is gone
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.starttls(context=unverified())
            client.login("ivanov", password)
            refused = client.sendmail("ivanov@example.test",
                                      ["petrova@example.test", "friend@other.test",
                                       "nobody@nowhere.invalid"], b"Subject: hi\r\n\r\nhello\r\n")
        assert refused == {}
        assert wait_for(lambda: inbox(live, "petrova@example.test"))
        assert wait_for(lambda: inbox(live, "friend@other.test"))       # relayed by MX
        assert wait_for(lambda: inbox(live, "ivanov@example.test"))     # the bounce
        bounce = inbox(live, "ivanov@example.test")[0].data
        assert b"nobody@nowhere.invalid" in bounce
        # The MX port takes mail for the class's domain only: no open relay.
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as mx:
            mx.starttls(context=unverified())
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                mx.sendmail("spammer@elsewhere.test", ["friend@other.test"], b"\r\nspam\r\n")


def test_a_port_the_os_refuses_is_explained_in_both_languages(monkeypatch, capsys, tmp_path):
    async def refuse(*args, port, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "create_server", refuse)
    monkeypatch.chdir(tmp_path)
    # Python's own loop, whose create_server is the one refusing here.
    assert main(["serve", "--port-offset", "0", "--loop", "asyncio", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "below 1024" in err and "--port-offset 10000" in err and "Traceback" not in err
    assert main(["serve", "--port-offset", "0", "--loop", "asyncio", "--lang", "ru"]) == 2
    assert "ниже 1024" in capsys.readouterr().err


def test_a_bad_roster_or_tls_name_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("login,name\nИван Иванов,x\n", encoding="utf-8")
    assert main(["serve", "--class", str(bad), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "row 1" in err and "cannot be a login" in err and "Traceback" not in err
    assert main(["serve", "--tls-name", "bad name!", "--lang", "ru"]) == 2
    assert "--tls-name ожидает" in capsys.readouterr().err


def test_the_command_line_starts_a_class_with_sheets_and_says_where_they_are(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    lines: list[str] = []
    # Another offset if a port was taken between the look and the bind (a busy machine).
    proc, offset = serve_process("--students", "2", "--passwords", str(tmp_path / "pw.csv"),
                                 "--sheets", str(tmp_path / "sheets"), "--tls-name", "lab.local",
                                 env=env, banner=lines, cwd=tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    banner = "".join(lines)
    assert proc.returncode == 0, banner
    assert f"Class: 2 accounts student01 … student02@example.test; the passwords are in " \
           f"{tmp_path / 'pw.csv'}" in banner
    assert f"server lab.local, port {993 + offset}, security SSL/TLS, user name student01" in banner
    assert f"Setup sheets: 4 pages (Russian and English); print them from " \
           f"{tmp_path / 'sheets' / 'index.html'}" in banner
    assert stat.S_IMODE((tmp_path / "pw.csv").stat().st_mode) == 0o600
