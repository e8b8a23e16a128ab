"""Defects the socket fuzzer (``make fuzz``) found, replayed over a real socket (issue 16)."""
import smtplib
import socket

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
