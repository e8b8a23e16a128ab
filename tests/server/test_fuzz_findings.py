"""Defects the socket fuzzer (``make fuzz``) found, replayed over a real socket (issue 16)."""
import smtplib
import socket

from .conftest import serving

ADDRESS = "teacher@example.test"


def _copies(live, message_id: bytes) -> int:
    def count():
        inbox = live.world.net.store.account(ADDRESS).inbox
        return sum(message_id in m.data for m in inbox.messages)
    return live.call(count)


def test_the_same_recipient_twice_in_one_transaction_gets_one_copy(live):
    """RCPT TO:<teacher@…> twice (once with the domain in capitals) used to deliver two copies."""
    data = b"Subject: once\r\nMessage-ID: <twice@fuzz.test>\r\n\r\nhello\r\n"
    with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
        refused = client.sendmail("fuzz@client.test",
                                  [ADDRESS, ADDRESS, "teacher@EXAMPLE.test"], data)
    assert refused == {}                 # every RCPT is still answered 250
    assert _copies(live, b"<twice@fuzz.test>") == 1      # delivered before the 250 came back


def test_control_characters_in_a_command_get_500_not_an_echo(live):
    """``HELO a\\rb`` used to come back inside the 250 greeting, a lone CR and all."""
    with socket.create_connection(("127.0.0.1", live.settings["smtp"]), timeout=10) as sock:
        reader = sock.makefile("rb")
        reader.readline()                                   # 220
        sock.sendall(b"HELO client.test\rsset\r\nHELO client.test\r\n")
        assert reader.readline().startswith(b"500 ")
        assert reader.readline().startswith(b"250 ")        # the session goes on


def test_the_fuzzers_sink_reader_finds_a_tracked_message_after_an_empty_data_line():
    """``make fuzz`` reported fz20261206-123 lost: the server had filed it.

    The walk sent an empty line in DATA before the tracked text, so the
    Message-ID line was body (RFC 5322 §2.1) and ``TOP n 0`` never showed it.
    """
    from fuzz.socket_fuzzer import SINK, read_sink
    from fuzz.wire_models import tracked_message

    sink = f"{SINK.user}@example.test"
    with serving(users=[(SINK.user, SINK.password)]) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
            client.ehlo("client.test")
            client.mail("fuzz@client.test")
            client.rcpt(sink)
            code, _ = client.data(b"\r\nbody first\r\n" + tracked_message("fz9-1", sink)[:-5])
            assert code == 250
            client.sendmail("fuzz@client.test", [sink], tracked_message("fz9-2", sink)[:-5])
        tokens = read_sink("127.0.0.1", live.settings["pop3"])
    assert tokens == {"fz9-1": 1, "fz9-2": 1}
