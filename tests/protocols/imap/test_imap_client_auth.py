"""The client engine: STARTTLS (the TLS state, then tls_started()), AUTHENTICATE PLAIN with
and without SASL-IR, ENABLE IMAP4rev2 and rev2 responses (ESEARCH, CLOSED) in the view."""
from __future__ import annotations

import base64

from imap_kit import World
from test_imap_client import Wire, steps

from simulator.protocols.imap import states as S
from simulator.protocols.imap.client import IMAPClient
from simulator.protocols.imap.client_responses import esearch, expand

PLAIN = base64.b64encode(b"\0bob\0secret")


class TlsWire(Wire):
    """The Wire of test_imap_client, plus the handshake when both sides wait in TLS."""

    def run(self) -> IMAPClient:
        for _ in range(20):
            super().run()
            if self.client.state == S.TLS and self.server.state == S.TLS:
                self.server.tls_started()
                self.client.tls_started()
            else:
                return self.client
        return self.client


def test_starttls_then_capability_again_then_login():
    world = World(messages=1, starttls=True)
    client = IMAPClient("bob", "secret", steps("SELECT INBOX"), starttls=True)
    wire = TlsWire(world, client)
    wire.run()
    assert [c for _, c in client.result.sent] == ["STARTTLS", "CAPABILITY", "LOGIN", "SELECT",
                                                  "LOGOUT"]
    assert client.tls and wire.server.tls and client.result.logged_in
    assert "STARTTLS" not in client.result.capabilities          # asked again after TLS


def test_refused_starttls_sends_no_password():
    client = IMAPClient("bob", "secret", steps("NOOP"), starttls=True)
    wire = TlsWire(World(), client)                             # the server offers no STARTTLS
    wire.run()
    assert [c for _, c in client.result.sent] == ["STARTTLS", "LOGOUT"]
    assert not any(b"secret" in w for w in wire.writes)


def test_authenticate_plain_uses_sasl_ir_when_offered():
    world = World(messages=1)
    client = IMAPClient("bob", "secret", steps("SELECT INBOX"), mechanism="PLAIN")
    wire = Wire(world, client)
    wire.run()
    assert wire.writes[0] == b"A1 AUTHENTICATE PLAIN " + PLAIN + b"\r\n"
    assert client.result.logged_in and client.mailbox.exists == 1


def test_authenticate_plain_waits_for_the_continuation_without_sasl_ir():
    client = IMAPClient("bob", "secret", steps("NOOP"), mechanism="PLAIN")
    client.receive_data(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
    assert client.data_to_send() == b"A1 AUTHENTICATE PLAIN\r\n"
    client.receive_data(b"+ \r\n")
    assert client.data_to_send() == PLAIN + b"\r\n"
    client.receive_data(b"A1 OK done\r\n")
    assert client.result.logged_in and client.data_to_send() == b"A2 NOOP\r\n"


def test_rev2_session_view_takes_esearch_and_closed():
    world = World(messages=3)
    client = IMAPClient("bob", "secret", steps(
        "SELECT INBOX", "STORE 2 +FLAGS (\\Seen)", "A9 SEARCH RETURN (MIN COUNT) UNSEEN",
        "B1 UID SEARCH SEEN", "SELECT Trash"), rev2=True)
    Wire(world, client).run()
    assert client.rev2 and ("A3", "ENABLE") not in client.result.sent
    assert client.result.esearch("A9") == {"MIN": 1, "COUNT": 2}
    assert client.result.search("B1") == [2]
    inbox = client.last_mailbox
    assert inbox.name == "Trash" and inbox.exists == 0
    select_trash = next(tag for tag, name in reversed(client.result.sent) if name == "SELECT")
    assert any(r.code == "CLOSED" for r in client.result.completion(select_trash).data)


def test_rev2_is_not_enabled_on_a_rev1_server_and_the_view_keeps_search_results():
    world = World(messages=2, imap4rev2=False)
    client = IMAPClient("bob", "secret", steps("SELECT INBOX", "SEARCH ALL"), rev2=True)
    Wire(world, client).run()
    assert not client.rev2 and "ENABLE" not in [c for _, c in client.result.sent]
    assert client.mailbox.found == [1, 2] and client.mailbox.exists == 2


def test_esearch_parser():
    values = [["TAG", "A1"], "UID", "MIN", "2", "ALL", "2:4,9", "COUNT", "4"]
    assert esearch(values) == ("A1", True, {"MIN": 2, "ALL": [2, 3, 4, 9], "COUNT": 4})
    assert expand("5:3") == [3, 4, 5]
