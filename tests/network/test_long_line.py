"""The built-in ``long-line``: a paragraph on one line of more than 1000 octets reaches the
reader in quoted-printable (RFC 5321 §4.5.3.1.6, RFC 2045 §6.7)."""
import email

from simulator.network import simulate
from simulator.scenarios import builtin_names, load


def test_the_builtin_long_line_reaches_bob_in_quoted_printable():
    result = simulate(load("long-line"))
    assert "long-line" in builtin_names() and result.bounces == []
    note = next(s for s in result.trace if s.explain == "smtp.client.lines_encoded")
    assert note.src == "pc.a.test" and note.params["parts"] == "text/plain → quoted-printable"
    stored = result.store.account("bob@b.test").inbox.messages[0].data
    message = email.message_from_bytes(stored)
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert max(map(len, stored.split(b"\r\n"))) <= 78
    assert b"item 89 agreed;" in message.get_payload(decode=True)
