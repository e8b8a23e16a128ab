"""``mailsim serve --sheets``: each student's page holds the running server's own values.

The test reads the values a student would check against the wire: the
ports the listeners really answer on and the fingerprint of the certificate
the server really presents, so a sheet that drifted from the server fails.
"""
from __future__ import annotations

import hashlib
import html
import re
import socket

from simulator.server.roster import read_roster
from simulator.server.sheets import write_sheets

from .conftest import serving, unverified


def presented_fingerprint(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            unverified().wrap_socket(raw) as tls:
        digest = hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest().upper()
    return ":".join(re.findall("..", digest))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_every_student_gets_a_page_per_language_with_the_live_values(tmp_path):
    with serving(students=3, passwords_path=str(tmp_path / "pw.csv"),
                 tls_names=["lab.local"]) as live:
        written = write_sheets(live.server, tmp_path / "sheets")
        fingerprint = presented_fingerprint(live.settings["imaps"])
        ports = live.settings
    students = read_roster(tmp_path / "pw.csv")
    assert sorted(p.name for p in written) == sorted(
        [f"student0{n}.{lang}.html" for n in (1, 2, 3) for lang in ("ru", "en")] + ["index.html"])
    page = text_of((tmp_path / "sheets" / "student02.en.html").read_text(encoding="utf-8"))
    second = students[1]
    assert f"Password {second.password}" in page
    assert "User name student02 (the full address student02@example.test works too)" in page
    assert f"Server lab.local Port {ports['imaps']} or port {ports['imap']} with STARTTLS " \
           f"Connection security SSL/TLS" in page
    assert f"Port {ports['submission']} or port {ports['smtps']} with SSL/TLS " \
           "Connection security STARTTLS The outgoing server requires authentication yes" in page
    assert f"Hostname lab.local, Port {ports['imaps']}, Connection security SSL/TLS, " \
           "Authentication method \"Normal password\", Username student02" in page
    assert "Leave a copy of messages on the server" in page and "UIDL" in page
    assert "Microsoft's cloud" in page
    assert fingerprint in page
    russian = text_of((tmp_path / "sheets" / "student02.ru.html").read_text(encoding="utf-8"))
    assert f"Пароль {second.password}" in russian and fingerprint in russian
    assert "SMTP-серверу требуется проверка подлинности" in russian
    assert "Оставлять копии сообщений на сервере" in russian and "облако Microsoft" in russian
    assert second.password not in (tmp_path / "sheets" / "student01.en.html").read_text("utf-8")


def test_the_sheet_and_the_banner_give_the_ftp_port_and_how_to_connect(tmp_path):
    from simulator.server.banner import banner
    with serving(students=2, passwords_path=str(tmp_path / "pw.csv"),
                 ftp_passive_ports=(50000, 50099)) as live:
        write_sheets(live.server, tmp_path / "sheets")
        port = live.settings["ftp"]
        lines = {lang: "\n".join(banner(live.server, lang)) for lang in ("en", "ru")}
    page = text_of((tmp_path / "sheets" / "student01.en.html").read_text(encoding="utf-8"))
    assert f"Your files: FTP (the same user name and password) Server 127.0.0.1 Port {port} " \
           "Connection security none: FTP sends the password" in page
    assert f"ftp://student01@127.0.0.1:{port}/" in page and "FileZilla" in page
    assert f"curl -u student01 -T notes.txt ftp://127.0.0.1:{port}/incoming/" in page
    russian = text_of((tmp_path / "sheets" / "student01.ru.html").read_text(encoding="utf-8"))
    assert "Ваши файлы: FTP" in russian and "Проводник Windows" in russian
    assert f"Порт {port}" in russian
    assert "data ports 50000-50099" in lines["en"]
    assert f"files, FTP: server 127.0.0.1, port {port}" in lines["en"]
    assert "порты данных 50000-50099" in lines["ru"]
    assert f"файлы, FTP: сервер 127.0.0.1, порт {port}" in lines["ru"]
