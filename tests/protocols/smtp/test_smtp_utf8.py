"""SMTPUTF8 on the client side (RFC 6531 §3.2, §3.4): UTF-8 addresses or header fields go
only to a server that announces SMTPUTF8, with the parameter on MAIL."""
import pytest
from smtp_kit import converse, new_server

from simulator.protocols.smtp import Envelope, SMTPClient, parse_path

UTF8_HEADERS = "From: ivan@example.test\r\nSubject: Привет\r\n\r\nhi\r\n".encode()


def _client(sender: str, content: bytes) -> SMTPClient:
    envelope = Envelope(mail_from=parse_path(f"<{sender}>", smtputf8=True),
                        rcpt_to=[parse_path("<r@foo.com>")], content=content)
    return SMTPClient("client.test", envelope)


@pytest.mark.parametrize("sender, content, status", [
    ("ivan@пример.рф", b"Subject: hi\r\n\r\nhi\r\n", (553, "5.6.7")),     # an address
    ("ivan@example.test", UTF8_HEADERS, (550, "5.6.9")),               # a header field only
])
def test_utf8_never_reaches_a_server_without_smtputf8(sender, content, status):
    client = _client(sender, content)
    _, server_events = converse(client, new_server(smtputf8=False))
    assert (client.result.failure.code, client.result.failure.enhanced) == status
    notes = [u for u in client.take_transcript() if u.direction == "internal"]
    assert [n.explain for n in notes] == [client.result.failure.key]
    assert not [e for e in server_events if getattr(e, "verb", None) == "MAIL"]


def test_utf8_header_fields_are_announced_with_smtputf8():
    client = _client("ivan@example.test", UTF8_HEADERS)
    converse(client, new_server())
    sent = [u.raw for u in client.take_transcript() if u.direction == "c2s"]
    mail = f"MAIL FROM:<ivan@example.test> SIZE={len(UTF8_HEADERS)} BODY=8BITMIME SMTPUTF8\r\n"
    assert mail.encode() in sent
    assert client.result.delivered
