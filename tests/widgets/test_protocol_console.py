"""ProtocolConsole driven from Python: type, click Send, read the transcript and the state."""
import re
import socketserver
import threading

import pytest

from simulator.widgets.console import ProtocolConsole
from simulator.widgets.console_replies import live_explain, reply_done


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))


def type_and_send(console, command):
    console.command.value = command
    console.send.click()


@pytest.fixture
def pop3():
    return ProtocolConsole.simulated("pop3-basic", "POP3", lang="en")


def test_greeting_and_initial_state(pop3):
    assert "S: +OK mail.b.test POP3 server ready" in text(pop3.transcript.value)
    assert "AUTHORIZATION" in pop3.state.value and "USER" in pop3.state.value
    assert bytes(pop3.image.value[:5]) == b"<?xml" and pop3.image.layout.display == ""


def test_login_changes_the_state_label_and_the_picture(pop3):
    before = pop3.image.value
    type_and_send(pop3, "USER bob@b.test")
    type_and_send(pop3, "PASS bob-pw")
    shown = text(pop3.transcript.value)
    assert "C: USER bob@b.test" in shown and "C: PASS bob-pw" in shown
    assert "maildrop has 2 messages" in shown          # the scenario's mail was delivered
    assert "Server state: TRANSACTION" in text(pop3.state.value)
    assert "RETR" in pop3.state.value and pop3.image.value != before
    assert pop3.command.value == ""


def test_a_wrong_state_command_shows_the_error_and_why(pop3):
    type_and_send(pop3, "STAT")
    shown = text(pop3.transcript.value)
    assert "S: -ERR STAT is not allowed in the AUTHORIZATION state" in shown
    assert "not in this state of the session" in shown
    assert "AUTHORIZATION" in pop3.state.value


def test_explanations_follow_the_language(pop3):
    type_and_send(pop3, "STAT")
    pop3.language.value = "ru"
    assert "Состояние сервера: AUTHORIZATION" in text(pop3.state.value)
    assert "Отправить" == pop3.send.description
    assert "состояни" in text(pop3.transcript.value)


def test_history_buttons_and_list(pop3):
    for command in ("CAPA", "USER bob@b.test", "NOOP"):
        type_and_send(pop3, command)
    assert pop3.recent.options == ("NOOP", "USER bob@b.test", "CAPA")
    pop3.older.click()
    assert pop3.command.value == "NOOP"
    pop3.older.click()
    assert pop3.command.value == "USER bob@b.test"
    pop3.newer.click()
    assert pop3.command.value == "NOOP"
    pop3.recent.value = "CAPA"
    assert pop3.command.value == "CAPA"


def test_quit_closes_and_reconnect_starts_again(pop3):
    type_and_send(pop3, "QUIT")
    assert "closed" in text(pop3.state.value) and pop3.send.disabled
    pop3.reconnect.click()
    assert not pop3.send.disabled and "AUTHORIZATION" in pop3.state.value
    assert text(pop3.transcript.value).count("POP3 server ready") == 1


def test_smtp_out_of_order_gets_503_and_a_message_is_accepted():
    console = ProtocolConsole.simulated("basic", "SMTP", host="mx.b.test", lang="en")
    type_and_send(console, "DATA")
    assert "503" in text(console.transcript.value) and "INIT" in console.state.value
    for command in ("EHLO pc.test", "MAIL FROM:<x@x.test>", "RCPT TO:<bob@b.test>", "DATA"):
        type_and_send(console, command)
    assert "Server state: DATA" in text(console.state.value)
    for line in ("Subject: hi", "", "hello"):
        type_and_send(console, line)
    assert "C: Subject: hi" in text(console.transcript.value)      # echoed while pending
    type_and_send(console, ".")
    assert "250" in text(console.transcript.value).split("hello")[-1]
    assert console.pending == [] and "READY" in console.state.value


def test_starttls_plays_the_handshake():
    console = ProtocolConsole.simulated("basic", "SUBMISSION", host="mail.a.test", lang="en")
    type_and_send(console, "EHLO pc.test")
    type_and_send(console, "STARTTLS")
    assert ".. TLS handshake" in text(console.transcript.value).replace("··", "..")
    assert "INIT" in console.state.value        # RFC 3207: start again with EHLO


def test_pop2_console():
    console = ProtocolConsole.simulated("pop2-vs-pop3", "POP2", lang="en")
    assert "POP2" in console.title.value and console.session.state
    type_and_send(console, "READ")
    assert "S: -" in text(console.transcript.value)


# -- live sessions, against a tiny SMTP-like server in a thread --------------------------
class _FakeSMTP(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 fake ESMTP\r\n")
        for raw in self.rfile:
            verb = raw.strip().upper()
            if verb.startswith(b"EHLO"):
                self.wfile.write(b"250-fake greets you\r\n250 PIPELINING\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"503 5.5.1 Bad sequence of commands\r\n")


@pytest.fixture
def fake_smtp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSMTP)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_live_console_reads_whole_replies_in_a_thread(fake_smtp):
    console = ProtocolConsole.live(fake_smtp, "SMTP", lang="en")
    console.wait()
    assert "S: 220 fake ESMTP" in text(console.transcript.value)
    type_and_send(console, "EHLO me")
    console.wait()
    shown = text(console.transcript.value)
    assert "S: 250-fake greets you" in shown and "S: 250 PIPELINING" in shown
    assert "2xx: done" in shown and "does not show its state" in console.state.value
    type_and_send(console, "DATA")
    console.wait()
    assert "5xx: no" in text(console.transcript.value)
    type_and_send(console, "QUIT")
    console.wait()
    assert "closed" in text(console.state.value)


def test_live_console_without_a_server_says_so():
    console = ProtocolConsole.live(1, "POP3", lang="en", threaded=False)
    assert "Cannot connect" in text(console.transcript.value)


@pytest.mark.parametrize("protocol, command, lines, done", [
    ("SMTP", "EHLO x", ["250-a"], False), ("SMTP", "EHLO x", ["250-a", "250 b"], True),
    ("POP3", "LIST", ["+OK 1 message", "1 10"], False),
    ("POP3", "LIST", ["+OK 1 message", "1 10", "."], True), ("POP3", "LIST 1", ["+OK 1 10"], True),
    ("POP3", "RETR 9", ["-ERR no such message"], True),
    ("IMAP", "a1 LIST \"\" *", ["* LIST () \"/\" INBOX"], False),
    ("IMAP", "a1 LIST \"\" *", ["* LIST () \"/\" INBOX", "a1 OK done"], True),
    ("IMAP", "a2 IDLE", ["+ idling"], True), ("POP2", "READ", ["=0"], False),
])
def test_reply_done(protocol, command, lines, done):
    assert reply_done(protocol, command, lines) is done


def test_live_explain_keys():
    assert live_explain("POP3", "", "USER bob", True) == "pop3.cmd.USER"
    assert live_explain("IMAP", "", "a1 LOGIN bob pw", True) == "imap.cmd.LOGIN"
    assert live_explain("SMTP", "", "XYZZY", True) == "ui.console.live.command"
    assert live_explain("IMAP", "a1 X", "a1 NO [ALERT] no", False) == "ui.console.live.imap_no"
    assert live_explain("POP3", "STAT", "-ERR", False) == "ui.console.live.pop_err"
