"""ProtocolConsole on the FTP and HTTP servers of the built-ins (issue 15), in ru and en:
the data connection shows up as a connection of its own, a request without Host gets 400."""
import re

import pytest

from simulator.widgets.console import ProtocolConsole


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))


def send(console, *lines):
    for line in lines:
        console.command.value = line
        console.send.click()
    return text(console.transcript.value)


@pytest.mark.parametrize("lang, words", [
    ("en", ("Server state: LOGGED_IN", "A second TCP connection, for the data only",
            "The file /pub/readme.txt crosses the data connection: 92 octets")),
    ("ru", ("Состояние сервера: LOGGED_IN", "Второе TCP-соединение, только для данных",
            "Файл /pub/readme.txt идёт по соединению данных: 92 байта"))])
def test_ftp_console_opens_a_data_connection_for_a_download(lang, words):
    console = ProtocolConsole.simulated("ftp-passive", "FTP", lang=lang)
    shown = send(console, "LIST")
    assert "S: 530" in shown                                  # before the login
    shown = send(console, "USER carol", "PASS carol-pw", "LIST")
    assert "S: 425" in shown                                  # no PASV yet: nobody connects
    shown = send(console, "PASV", "RETR pub/readme.txt")
    state, data_connect, file_line = words
    assert state in text(console.state.value) and "PASV" in console.state.value
    assert data_connect in shown and file_line in shown
    assert re.search(r"#\d+ c2 S: Course files for the networks lab\.", shown)
    assert re.search(r"#\d+ c1 S: 226 Transfer complete \(92 octets\)", shown)


@pytest.mark.parametrize("lang, words", [
    ("en", ("image/svg+xml", "The connection is closed")),
    ("ru", ("image/svg+xml", "Соединение закрыто"))])
def test_http_console_answers_a_request_and_refuses_one_without_host(lang, words):
    console = ProtocolConsole.simulated("http-basic", "HTTP", lang=lang)
    shown = send(console, "GET /logo.svg HTTP/1.1", "Host: www.b.test", "")
    mime, closed = words
    assert "S: HTTP/1.1 200 OK" in shown and f"Content-Type: {mime}" in shown
    assert "IDLE" in console.state.value                      # the connection persists
    shown = send(console, "GET / HTTP/1.1", "")
    assert "S: HTTP/1.1 400 Bad Request" in shown and "RFC 9112 §9.6" in shown
    assert closed in text(console.state.value)
