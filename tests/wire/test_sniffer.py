"""The sniffer's view: what a passive observer captures, tested on the captured octets."""
from __future__ import annotations

import base64

import pytest

from simulator.network import simulate
from simulator.protocols.pop3.parser import apop_digest
from simulator.scenarios import builtin_names, load
from simulator.trace import Trace
from simulator.wire.apop import dictionary_attack
from simulator.wire.sniffer import sniff

PASSWORD = b"sunshine"          # Bob's weak password in sniffer.yaml


def pop3_views(trace):
    return [v for v in sniff(trace) if v.protocol == "POP3"]


@pytest.fixture(scope="module")
def sniffer_trace():
    return simulate(load("sniffer")).trace


def test_a_plain_text_login_puts_the_password_in_the_captured_octets(sniffer_trace):
    plain = pop3_views(sniffer_trace)[0]
    assert (plain.port, plain.mode) == (110, "clear")
    assert PASSWORD in plain.observed()
    [secret] = plain.secrets
    assert (secret.how, secret.user, secret.value) == ("USER/PASS", "bob@b.test", "sunshine")
    marked = next(c for c in plain.captures if c.secrets)
    assert marked.data[secret.start:secret.end] == PASSWORD
    assert b"4-8-15-16" in plain.observed()          # and the letter itself (RETR 1)


def test_tls_logins_leave_neither_password_nor_letter_in_the_captured_octets(sniffer_trace):
    _plain, _apop, stls, pop3s = pop3_views(sniffer_trace)
    assert (stls.port, stls.mode, pop3s.port, pop3s.mode) == (110, "starttls", 995, "implicit")
    for view in (stls, pop3s):
        assert PASSWORD not in view.observed()
        assert b"4-8-15-16" not in view.observed()
        assert view.secrets == []
        assert view.sni == "mail.b.test"
        hello = next(c for c in view.captures if c.handshake)
        assert b"mail.b.test" in hello.data          # the SNI travels in clear
    assert pop3s.readable() == b""                   # 995: not even the greeting
    assert stls.readable().endswith(b"STLS\r\n+OK Begin TLS negotiation\r\n")
    assert b"USER" not in stls.readable()
    # after the handshake only application-data records, each 17 octets over its text
    records = [r for c in pop3s.captures if not c.handshake for r in c.records]
    assert {kind for kind, _ in records} == {"application_data"}
    text = sum(len(s.raw) for s in sniffer_trace.filter(conn=pop3s.conn) if s.raw)
    assert sum(length for _, length in records) == text + 17 * len(records)


def test_apop_shows_a_digest_that_a_dictionary_attack_turns_back_into_the_password(
        sniffer_trace):
    _plain, apop, _stls, _pop3s = pop3_views(sniffer_trace)
    assert PASSWORD not in apop.observed()
    [secret] = apop.secrets
    assert secret.kind == "apop_digest" and secret.timestamp.startswith("<")
    assert secret.value == apop_digest(secret.timestamp, "sunshine")
    words = ["123456", "password", "qwerty", "dragon", "sunshine", "letmein"]
    found = dictionary_attack(secret.timestamp, secret.value, words)
    assert (found.password, found.tries) == ("sunshine", 5)
    assert found.seconds >= 0 and found.rate >= 0
    missed = dictionary_attack(secret.timestamp, secret.value.upper(), words[:4])
    assert (missed.password, missed.tries) == (None, 4)


def test_the_dictionary_attack_finds_the_secret_of_rfc_1939s_example():
    # RFC 1939 §7: the timestamp and digest of its APOP example; the secret is "tanstaaf".
    found = dictionary_attack("<1896.697170952@dbc.mtview.ca.us>",
                              "c4c9334bac560ecc979e58001b3e22fb", ["tanstaafl", "tanstaaf"])
    assert (found.password, found.tries) == ("tanstaaf", 2)


def test_starttls_for_smtp_hides_auth_plain_and_ports_tls_shows_its_relays_in_clear():
    trace = simulate(load("ports-tls")).trace
    views = {v.conn: v for v in sniff(trace)}
    auth = base64.b64encode(b"\0alice@a.test\0alice-pw")
    assert all(auth not in v.observed() for v in views.values())
    assert views["c1"].mode == "implicit" and views["c3"].mode == "starttls"
    assert b"EHLO oldpc.a.test\r\n" in views["c3"].readable()
    assert views["c2"].mode == "clear" and b"RCPT TO:<bob@b.test>" in views["c2"].readable()


def _hand_trace(protocol: str, port: int, lines: list[tuple[str, bytes]]) -> Trace:
    trace = Trace(scenario="hand", seed=1)
    for n, (direction, raw) in enumerate(lines):
        src, dst = ("pc", "mx") if direction == "c2s" else ("mx", "pc")
        trace.add(time=n / 10, conn="c1", src=src, dst=dst, protocol=protocol,
                  direction=direction, raw=raw, line=raw.decode().rstrip("\r\n"),
                  meta={"port": port})
    return trace


@pytest.mark.parametrize(("protocol", "port", "lines", "how"), [
    ("SMTP", 25, [("c2s", b"AUTH PLAIN " + base64.b64encode(b"\0bob\0s3cret") + b"\r\n")],
     "AUTH PLAIN"),
    ("SMTP", 25, [("c2s", b"AUTH PLAIN\r\n"), ("s2c", b"334 \r\n"),
                  ("c2s", base64.b64encode(b"\0bob\0s3cret") + b"\r\n")], "AUTH PLAIN"),
    ("SMTP", 25, [("c2s", b"AUTH LOGIN\r\n"), ("s2c", b"334 VXNlcm5hbWU6\r\n"),
                  ("c2s", base64.b64encode(b"bob") + b"\r\n"),
                  ("s2c", b"334 UGFzc3dvcmQ6\r\n"),
                  ("c2s", base64.b64encode(b"s3cret") + b"\r\n")], "AUTH LOGIN"),
    ("IMAP", 143, [("c2s", b'A1 LOGIN "bob" "s3cret"\r\n')], "LOGIN"),
    ("IMAP", 143, [("c2s", b"A1 AUTHENTICATE PLAIN\r\n"), ("s2c", b"+ \r\n"),
                   ("c2s", base64.b64encode(b"\0bob\0s3cret") + b"\r\n")],
     "AUTHENTICATE PLAIN"),
    ("POP3", 110, [("c2s", b"USER bob\r\n"), ("s2c", b"+OK\r\n"), ("c2s", b"PASS s3cret\r\n")],
     "USER/PASS"),
])
def test_every_clear_text_login_is_decoded_and_its_octets_marked(protocol, port, lines, how):
    [view] = sniff(_hand_trace(protocol, port, lines))
    [secret] = view.secrets
    assert (secret.how, secret.user, secret.value) == (how, "bob", "s3cret")
    capture = next(c for c in view.captures if c.secrets)
    carried = capture.data[secret.start:secret.end]
    assert carried in (b"s3cret", b'"s3cret"') or base64.b64decode(carried).endswith(b"s3cret")


def test_a_cancelled_sasl_exchange_reveals_nothing():
    lines = [("c2s", b"AUTH LOGIN\r\n"), ("s2c", b"334 VXNlcm5hbWU6\r\n"), ("c2s", b"*\r\n"),
             ("s2c", b"501 cancelled\r\n"), ("c2s", b"QUIT\r\n")]
    [view] = sniff(_hand_trace("SMTP", 25, lines))
    assert view.secrets == []


def test_the_sniffer_scenario_is_listed(capsys):
    from simulator.cli import main
    assert "sniffer" in builtin_names()
    assert main(["scenarios", "--lang", "en"]) == 0
    assert "sniffer" in capsys.readouterr().out
