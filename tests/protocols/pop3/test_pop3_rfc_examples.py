"""The textbook sessions: RFC 1939 §10 and §7 (APOP), RFC 1225 (LAST), through the engines."""
from engine_pump import pump
from pop3_kit import RFC_TIMESTAMP, message_of_size, new_server, rfc_backend, say

from simulator.locale import explain
from simulator.protocols.pop3 import POP3Client, POP3Config, POP3Server, apop_digest
from simulator.protocols.pop3.client import POP3Client as _Client  # noqa: F401  (API check)


def test_apop_digest_of_the_rfc_1939_example():
    assert apop_digest(RFC_TIMESTAMP, "tanstaaf") == "c4c9334bac560ecc979e58001b3e22fb"


def test_rfc_1939_example_session_line_by_line(bytewise):
    """RFC 1939 §10, every reply as the RFC prints it (message text stands in for <...>)."""
    backend = rfc_backend()
    server = POP3Server(POP3Config("dewey", apop_timestamp=RFC_TIMESTAMP), backend,
                        session_id="s1")
    server.initiate()
    assert server.data_to_send() == f"+OK dewey POP3 server ready {RFC_TIMESTAMP}\r\n".encode()
    assert say(server, "APOP mrose c4c9334bac560ecc979e58001b3e22fb", bytewise) == \
        b"+OK mrose's maildrop has 2 messages (320 octets)\r\n"
    assert say(server, "STAT", bytewise) == b"+OK 2 320\r\n"
    assert say(server, "LIST", bytewise) == b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
    first, second = (data for _, data in backend.messages("mrose"))
    assert say(server, "RETR 1", bytewise) == b"+OK 120 octets\r\n" + first + b".\r\n"
    assert say(server, "DELE 1", bytewise) == b"+OK message 1 deleted\r\n"
    assert say(server, "RETR 2", bytewise) == b"+OK 200 octets\r\n" + second + b".\r\n"
    assert say(server, "DELE 2", bytewise) == b"+OK message 2 deleted\r\n"
    assert say(server, "QUIT", bytewise) == b"+OK dewey POP3 server signing off (maildrop empty)\r\n"
    assert server.closed and backend.messages("mrose") == []


def test_rfc_1939_user_pass_example():
    server = new_server()
    assert say(server, "USER mrose").startswith(b"+OK")
    assert say(server, "PASS secret") == b"+OK mrose's maildrop has 2 messages (320 octets)\r\n"
    assert server.state == "TRANSACTION"


def test_apop_client_computes_the_rfc_digest_and_explains_it():
    server = POP3Server(POP3Config("dewey", apop_timestamp=RFC_TIMESTAMP), rfc_backend(),
                        session_id="s1")
    client = POP3Client("mrose", "tanstaaf", use_apop=True, script=["STAT", "QUIT"])
    server.initiate()
    pump(client, server)
    sent = [u for u in client.take_transcript() if u.direction == "c2s"]
    assert sent[0].raw == b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
    assert client.result.logged_in and client.result.stat == (2, 320)
    for lang in ("ru", "en"):
        text = explain(sent[0].explain, sent[0].params, lang)
        assert RFC_TIMESTAMP + "tanstaaf" in text           # which string is hashed
        assert "c4c9334bac560ecc979e58001b3e22fb" in text   # and the digest
        assert "MD5" in text and "RFC 6151" in text
    apop_step = next(u for u in server.take_transcript() if u.explain == "pop3.cmd.APOP")
    assert apop_step.params["hashed"] == RFC_TIMESTAMP + "tanstaaf"
    assert apop_step.params["match"] is True
    assert RFC_TIMESTAMP + "tanstaaf" in explain(apop_step.explain, apop_step.params, "en")


def test_apop_to_a_server_without_a_timestamp_is_explained_without_blanks():
    """A student types APOP in a console to a server whose greeting had no timestamp: the
    explanation has no unfilled {placeholder}, and the refusal says why."""
    server = POP3Server(POP3Config("dewey"), rfc_backend(), session_id="s1")
    server.initiate()
    server.receive_data(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n")
    steps = server.take_transcript()
    for lang in ("ru", "en"):
        texts = [explain(u.explain, u.params, lang) for u in steps]
        assert not [text for text in texts if "{" in text], texts
    assert steps[-1].explain == "pop3.reply.apop_unavailable"


def test_apop_with_a_wrong_digest_is_refused_with_auth_code():
    server = new_server(apop_timestamp=RFC_TIMESTAMP)
    assert say(server, "APOP mrose " + "0" * 32).startswith(b"-ERR [AUTH]")
    assert server.state == "AUTHORIZATION"


def test_apop_without_a_timestamp_in_the_greeting_is_not_available():
    server = new_server()
    assert say(server, "APOP mrose c4c9334bac560ecc979e58001b3e22fb").startswith(b"-ERR APOP")


def _historical(backend):
    return new_server(backend, historical=True)


def test_rfc_1225_last_example():
    """RFC 1225 LAST: STAT 4, LAST 1, RETR 3 -> 3, DELE 2 -> 3, RSET -> 1."""
    backend = rfc_backend()
    backend.add_user("x", "pw")
    read = b"Status: RO\r\n" + message_of_size(120, "seen before")
    for data in (read, message_of_size(80, "b"), message_of_size(120, "c"),
                 message_of_size(20 + 40, "d")):
        backend.add_message("x", data)
    server = _historical(backend)
    say(server, "USER x")
    say(server, "PASS pw")
    assert say(server, "LAST") == b"+OK 1\r\n"          # accessed in an earlier session
    say(server, "RETR 3")
    assert say(server, "LAST") == b"+OK 3\r\n"
    say(server, "DELE 2")
    assert say(server, "LAST") == b"+OK 3\r\n"          # DELE 2 is below 3
    say(server, "RSET")
    assert say(server, "LAST") == b"+OK 1\r\n"          # back to the value at lock time


def test_last_counts_dele_but_not_top():
    server = _historical(rfc_backend())
    say(server, "USER mrose")
    say(server, "PASS secret")
    assert say(server, "LAST") == b"+OK 0\r\n"
    say(server, "TOP 2 0")
    assert say(server, "LAST") == b"+OK 0\r\n"
    say(server, "DELE 2")
    assert say(server, "LAST") == b"+OK 2\r\n"


def test_last_does_not_exist_outside_historical_mode():
    server = new_server()
    say(server, "USER mrose")
    say(server, "PASS secret")
    assert say(server, "LAST") == b"-ERR unknown command 'LAST'\r\n"
