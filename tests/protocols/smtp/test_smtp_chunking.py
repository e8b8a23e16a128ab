"""BDAT, CHUNKING and BINARYMIME (RFC 3030): every state × BDAT, the octets read and never
taken for commands, DATA and BDAT never mixed, and the client's choice of BDAT."""
from __future__ import annotations

import pytest
from smtp_kit import FEED_MODES, converse, feed_bytes, make_server, new_server, split_replies

from simulator.protocols.smtp import (
    Envelope,
    MessageReceived,
    SMTPClient,
    State,
    parse_path,
)
from simulator.protocols.smtp.states import COMMAND_STATES

CHUNKING = {"CHUNKING", "BINARYMIME"}
HELLO = b"EHLO client.test\r\n"
MAIL = b"MAIL FROM:<s@client.test> BODY=BINARYMIME\r\n"
RCPT = b"RCPT TO:<r@foo.com>\r\n"
#: How to reach each state that reads commands, and the first chunk for BDAT.
ROUTES = {State.INIT: b"", State.READY: HELLO, State.MAIL: HELLO + MAIL,
          State.RCPT: HELLO + MAIL + RCPT, State.BDAT: HELLO + MAIL + RCPT + b"BDAT 2\r\nab"}
#: A chunk that would end the session if the server read it as a command.
TRAP = b"QUIT\r\n"
#: What BDAT 6 (with TRAP) gets in each state, and the state after the octets.
EXPECTED = {State.INIT: (503, State.INIT), State.READY: (503, State.READY),
            State.MAIL: (503, State.MAIL), State.RCPT: (250, State.BDAT),
            State.BDAT: (250, State.BDAT)}


def server_in(state: State, **config):
    server = make_server(extensions_on=CHUNKING, **config)
    if ROUTES[state]:                   # b"" would mean "the client closed"
        server.receive_data(ROUTES[state])
    server.data_to_send()
    assert server.state is state
    return server


def test_every_command_state_is_covered():
    assert set(EXPECTED) == set(COMMAND_STATES)


@pytest.mark.parametrize("mode", FEED_MODES)
@pytest.mark.parametrize("state", sorted(EXPECTED, key=list(State).index))
def test_bdat_in_every_state_reads_its_octets_and_never_runs_them(state, mode):
    server = server_in(state)
    feed_bytes(server, b"BDAT 6\r\n" + TRAP + b"NOOP\r\n", mode)
    replies = split_replies(server.data_to_send())
    code, after = EXPECTED[state]
    assert [r.code for r in replies] == [code, 250]          # the chunk's reply, then NOOP's
    assert server.state is after and not server.closed       # QUIT in the chunk was data


@pytest.mark.parametrize("mode", FEED_MODES)
def test_chunks_make_one_message_octet_for_octet(mode):
    binary = bytes(range(256)) + b"\r\n.\r\n" + b"\n.\r" + b"\0" * 3
    server = server_in(State.RCPT)
    rest = f"BDAT {len(binary) - 100} LAST\r\n".encode()
    events = feed_bytes(server, b"BDAT 100\r\n" + binary[:100] + rest + binary[100:]
                        + b"BDAT 0 LAST\r\n", mode)
    replies = split_replies(server.data_to_send())
    assert [(r.code, r.text) for r in replies[:2]] == [
        (250, "100 octets received"), (250, "OK: message accepted for delivery")]
    assert replies[2].code == 503                  # RFC 3030 §2: a BDAT after LAST is illegal
    (received,) = [e for e in events if isinstance(e, MessageReceived)]
    assert received.envelope.content == binary
    assert received.envelope.body_type == "BINARYMIME"


def test_data_never_follows_bdat_nor_binarymime():
    server = server_in(State.RCPT)
    server.receive_data(b"DATA\r\n")
    assert split_replies(server.data_to_send())[0].code == 503       # RFC 3030 §3
    server.receive_data(b"BDAT 2\r\nabDATA\r\nRSET\r\nMAIL FROM:<s@client.test>\r\n"
                        b"RCPT TO:<r@foo.com>\r\nDATA\r\n")
    codes = [r.code for r in split_replies(server.data_to_send())]
    assert codes == [250, 503, 250, 250, 250, 354]   # DATA after BDAT: 503; after RSET it works


def test_a_chunk_over_the_size_limit_ends_the_transaction_and_the_rest_is_discarded():
    server = server_in(State.RCPT, max_message_size=10)
    server.receive_data(b"BDAT 8\r\n12345678BDAT 8\r\n12345678BDAT 2 LAST\r\n12NOOP\r\n")
    replies = split_replies(server.data_to_send())
    assert [(r.code, r.enhanced) for r in replies] == [
        (250, "2.0.0"), (552, "5.3.4"), (503, "5.5.1"), (250, "2.0.0")]
    assert server.state is State.READY


def test_a_refused_chunk_is_read_to_its_end_but_not_kept():
    server = server_in(State.READY)
    server.receive_data(b"BDAT 100000\r\n" + b"x" * 100000 + b"NOOP\r\n")
    assert [r.code for r in split_replies(server.data_to_send())] == [503, 250]
    (dropped,) = [u for u in server.take_transcript() if u.explain == "smtp.bdat.discarded"]
    assert dropped.params["octets"] == 100000 and len(dropped.raw) == 1000


def test_without_chunking_bdat_is_unknown_and_its_octets_are_read_as_commands():
    server = make_server()
    server.receive_data(HELLO + b"BDAT 6\r\nQUIT\r\n")
    replies = split_replies(server.data_to_send())
    assert [r.code for r in replies] == [250, 500, 221]   # what RFC 3030 §2 warns about
    assert "CHUNKING" not in replies[0].text


def test_binarymime_needs_both_keywords():
    for offered, code in ((set(), 501), ({"BINARYMIME"}, 501), ({"CHUNKING"}, 501),
                          (CHUNKING, 250)):
        server = make_server(extensions_on=offered)
        server.receive_data(HELLO + MAIL)
        ehlo, mail = split_replies(server.data_to_send())
        assert mail.code == code, offered
        assert ("BINARYMIME" in ehlo.lines) is (code == 250)


def test_bad_bdat_arguments_get_501_and_read_nothing():
    server = server_in(State.RCPT)
    server.receive_data(b"BDAT\r\nBDAT -1\r\nBDAT 5 FIRST\r\nNOOP\r\n")
    assert [r.code for r in split_replies(server.data_to_send())] == [501, 501, 501, 250]


# --- the client ---------------------------------------------------------------------------

BINARY = (b"MIME-Version: 1.0\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: binary"
          b"\r\n\r\n" + bytes(range(256)) * 4)


def _client(content: bytes, **options) -> SMTPClient:
    envelope = Envelope(mail_from=parse_path("<s@client.test>"),
                        rcpt_to=[parse_path("<r@foo.com>")], content=content)
    return SMTPClient("client.test", envelope, **options)


@pytest.mark.parametrize("bytewise", [False, True])
@pytest.mark.parametrize("pipelining", [True, False])
def test_the_client_sends_binary_in_bdat_chunks_when_both_sides_can(bytewise, pipelining):
    server = new_server(extensions_on=CHUNKING, pipelining=pipelining)
    client = _client(BINARY, chunk_size=500)
    _, events = converse(client, server, bytewise=bytewise)
    (received,) = [e for e in events if isinstance(e, MessageReceived)]
    assert received.envelope.content == BINARY          # every octet, CR and LF and NUL
    sent = [u.raw for u in client.take_transcript() if u.direction == "c2s"]
    assert b"MAIL FROM:<s@client.test> SIZE=1105 BODY=BINARYMIME\r\n" in sent
    assert [line for line in sent if line.startswith(b"BDAT")] == [
        b"BDAT 500\r\n", b"BDAT 500\r\n", b"BDAT 105 LAST\r\n"]
    assert client.result.delivered


def test_the_client_uses_bdat_for_text_when_chunking_is_offered_and_data_otherwise():
    for offered, verb in (({"CHUNKING"}, b"BDAT 29 LAST\r\n"), (set(), b"DATA\r\n")):
        client = _client(b"Subject: hi\r\n\r\nHello, world\r\n")
        converse(client, new_server(extensions_on=offered))
        sent = [u.raw for u in client.take_transcript() if u.direction == "c2s"]
        assert verb in sent and client.result.delivered


def test_binary_to_a_server_without_binarymime_is_returned_without_a_converter():
    client = _client(BINARY)
    converse(client, new_server(extensions_on={"CHUNKING"}))
    assert not client.result.delivered
    assert (client.result.failure.code, client.result.failure.enhanced) == (554, "5.6.3")
