"""On shutdown every client hears 421 / -ERR / * BYE, not a silent end of stream."""
import poplib
import smtplib
import socket

from .conftest import serving, unverified

GOODBYES = {"smtp": b"421 4.3.2 ", "submission": b"421 4.3.2 ", "pop3": b"-ERR [SYS/TEMP] ",
            "pop2": b"- ", "imap": b"* BYE ", "imaps": b"* BYE ", "pop3s": b"-ERR [SYS/TEMP] "}


def test_every_open_session_is_told_the_server_is_stopping(each_loop):
    clients = {}
    with serving(loop=each_loop) as live:
        for name in GOODBYES:
            sock = socket.create_connection(("127.0.0.1", live.settings[name]), 30)
            if name.endswith("s"):
                sock = unverified().wrap_socket(sock)
            clients[name] = sock.makefile("rb")
            assert clients[name].readline()                    # the greeting
    for name, reader in clients.items():
        line = reader.readline()
        assert line.startswith(GOODBYES[name]) and b"shutting down" in line, (name, line)
        assert reader.readline() == b""                         # then the server hangs up
    explained = [s.explain for s in live.trace]
    assert explained.count("serve.explain.shutdown") == len(GOODBYES)


def test_a_pop3_session_cut_by_shutdown_deletes_nothing():
    with serving() as live:
        with smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified()) as c:
            c.login("student", "student")
            c.sendmail("student@example.test", ["teacher@example.test"], b"Subject: x\r\n\r\nhi\r\n")
        pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
        pop.user("teacher")
        pop.pass_("teacher")
        assert pop.dele(1).startswith(b"+OK")
    assert pop.file.readline().startswith(b"-ERR [SYS/TEMP]")
    # RFC 1939 §6: no QUIT, no UPDATE state: the message is still there.
    assert len(live.world.net.store.account("teacher@example.test").inbox.messages) == 1
