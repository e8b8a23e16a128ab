"""The fuzzers' own checks reject what a strict client would reject (else they prove nothing)."""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from fuzz.grammar import Account, FTPGrammar, POP3Grammar, SMTPGrammar
from fuzz.mutate import MUTATIONS, split
from fuzz.replies import (
    BadReply,
    FTPReplies,
    HTTPResponses,
    IMAPReplies,
    POP3Replies,
    SMTPReplies,
    pop2_reply,
    pop3_reply,
)
from fuzz.socket_fuzzer import Run, check_messages
from fuzz.wire_models import FTPModel, POP3Model, SMTPModel, Tracked


@pytest.mark.parametrize("good", [b"250 OK\r\n", b"250-a\r\n250 b\r\n", b"354\r\n",
                                  "550 5.1.1 nö\r\n".encode()])
def test_smtp_replies_rfc5321_accepts(good):
    assert SMTPReplies().feed(good)


@pytest.mark.parametrize("bad", [b"250 a\rb\r\n", b"25 OK\r\n", b"250-a\r\n251 b\r\n",
                                 b"250OK\r\n", b"250 ok\n", b"250 " + b"x" * 600 + b"\r\n",
                                 b"150 too low\r\n", b"250 \xff\r\n"])
def test_smtp_replies_rfc5321_rejects(bad):
    with pytest.raises(BadReply):
        SMTPReplies().feed(bad)


def test_pop3_blocks_must_be_stuffed_and_ended():
    assert pop3_reply(b"+OK\r\n..x\r\n.\r\n", multiline=True) == "+OK"
    assert pop3_reply(b"-ERR no\r\n", multiline=True) == "-ERR"
    for bad, multiline in [(b"+OK\r\n.x\r\n.\r\n", True), (b"+OK\r\nx\r\n", True),
                           (b"OK\r\n", False), (b"+OK\r\nmore\r\n", False),
                           (b"+OKAY\r\n", False)]:
        with pytest.raises(BadReply):
            pop3_reply(bad, multiline)


def test_pop3_stream_reads_replies_in_the_order_of_the_commands():
    reader = POP3Replies()
    reader.expect(True)
    reader.expect(False)
    assert reader.feed(b"+OK list\r\n1 120\r\n") == []
    assert reader.feed(b".\r\n-ERR no\r\n") == ["+OK", "-ERR"]
    with pytest.raises(BadReply, match="nobody asked"):
        reader.feed(b"+OK extra\r\n")


def test_pop2_lines():
    assert pop2_reply(b"=120 characters\r\n") == ("=", 120)
    assert pop2_reply(b"+ ready\r\n") == ("+", None)
    for bad in (b"=x\r\n", b"#\r\n", b"ok\r\n", b"+ a\rb\r\n"):
        with pytest.raises(BadReply):
            pop2_reply(bad)


def test_imap_responses_with_literals_and_quoted_strings():
    reader = IMAPReplies()
    got = reader.feed(b'* 1 FETCH (BODY[] {5}\r\nab)\r\n FLAGS ("\\\\Seen"))\r\n'
                      b"a1 OK done\r\n+ go\r\n")
    assert [kind for kind, _ in got] == ["untagged", "tagged-OK", "continuation"]
    assert reader.idle
    for bad in (b"* 1 FETCH (FLAGS (\\Seen)\r\n", b'* LIST () "/ INBOX\r\n', b"a+1 OK x\r\n",
                b"a1 MAYBE x\r\n", b"* OK [ALERT oops\r\n", b"a1 OK a\rb\r\n",
                b'* LIST () "\\x" INBOX\r\n'):
        with pytest.raises(BadReply):
            IMAPReplies().feed(bad)


def test_mutations_and_splits_keep_every_byte_accounted_for():
    rng = random.Random(7)
    for mutation in MUTATIONS:
        assert isinstance(mutation(b"NOOP\r\n", rng), bytes)
    data = b"a" * 100
    assert b"".join(split(data, rng)) == data and all(split(data, rng))


def test_lost_duplicated_and_ghost_messages_are_faults():
    run = Run(1)
    sink = "rcpt to:<sink@example.test>\r\n"
    run.accepted = [Tracked("fz1-1", {sink}), Tracked("fz1-2", {sink}), Tracked("fz1-3", {sink}),
                    Tracked("fz1-4", {"rcpt to:<fuzz@example.test>\r\n"})]
    run.refused = ["fz1-5"]
    faults = check_messages(run, Counter({"fz1-1": 1, "fz1-2": 2, "fz1-5": 1}))
    assert sorted(kind for kind, _ in faults) == ["duplicated", "ghost", "lost"]


def test_smtp_model_stops_a_batch_at_data_and_tracks_the_message():
    model = SMTPModel(SMTPGrammar(Account("u", "p")), random.Random(1), 0.0,
                      lambda: "fz1-1", "sink@example.test")
    model.feed(b"220 hi\r\n")
    sent, expected = model.prepare(b"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<sink@example.test>\r\n"
                                   b"DATA\r\nSubject: lost\r\n")
    assert sent.endswith(b"DATA\r\n") and expected == 4
    model.feed(b"250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n")
    assert model.state == "DATA"
    data = next(d for d in (model.draw() for _ in range(20)) if b"fz1-1" in d)
    sent, expected = model.prepare(data)
    assert sent == data and sent.endswith(b"\r\n.\r\n") and expected == 1
    model.feed(b"250 queued\r\n")
    assert [(m.token, m.recipients) for m in model.accepted] == [
        ("fz1-1", {"rcpt to:<sink@example.test>\r\n"})]


def test_pop3_model_expects_a_block_after_list_but_not_after_list_1():
    model = POP3Model(POP3Grammar(Account("u", "p")), random.Random(1), 0.0)
    model.feed(b"+OK hi\r\n")
    model.prepare(b"LIST\r\nLIST 1\r\n")
    assert model.feed(b"+OK\r\n1 5\r\n.\r\n+OK 1 5\r\n") == ["+OK", "+OK"]


def test_smtp_model_ends_data_only_at_crlf_dot_crlf_as_the_server_does():
    """A "." line after a bare-LF line is content (RFC 5321 §4.1.1.4): a model that took it
    for the end paired later replies with the wrong commands and 'lost' messages."""
    model = SMTPModel(SMTPGrammar(Account("u", "p")), random.Random(1), 0.0,
                      lambda: "fz1-1", "sink@example.test")
    model.feed(b"220 hi\r\n")
    model.prepare(b"DATA\r\n")
    model.feed(b"354 go\r\n")
    assert model.prepare(b"bare\n.\r\n") == (b"bare\n.\r\n", 0)
    assert model.prepare(b"crlf\r\n.\r\n") == (b"crlf\r\n.\r\n", 1)


@pytest.mark.parametrize("good, codes", [
    (b"220 ready\r\n", ["220"]), (b"211-Features:\r\n EPSV\r\n MLST size*;\r\n211 End\r\n", ["211"]),
    (b"150 Opening\r\n226 Done\r\n", ["150", "226"]), ("550 /ü: No such file\r\n".encode(), ["550"])])
def test_ftp_replies_rfc959_accepts(good, codes):
    assert FTPReplies().feed(good) == codes


@pytest.mark.parametrize("bad", [b"22 ready\r\n", b"620 odd\r\n", b"220ready\r\n", b"220 a\n",
                                 b"220 a\x00b\r\n", b"220 \xff\r\n", b"x" * 1100 + b"\r\n"])
def test_ftp_replies_rfc959_rejects(bad):
    with pytest.raises(BadReply):
        FTPReplies().feed(bad)


def test_http_responses_are_read_by_their_length_and_a_head_has_no_body():
    reader = HTTPResponses()
    for head in (False, True, False):
        reader.expect(head)
    got = reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                      b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                      b"HTTP/1.1 303 See Other\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"2\r\nab\r\n")
    assert got == ["2xx", "2xx"]                       # the chunked body is not complete yet
    assert reader.feed(b"0\r\n\r\n") == ["3xx"]
    for bad in (b"HTTP/1.1 200 OK\r\n\r\n",              # no length, connection kept
                b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nBad Field\r\nContent-Length: 0\r\n\r\n"):
        reader = HTTPResponses()
        reader.expect(False)
        with pytest.raises(BadReply):
            reader.feed(bad)


def test_ftp_model_connects_for_a_transfer_and_counts_a_refused_one_as_two():
    model = FTPModel(FTPGrammar(Account("fuzz", "pw"), {"active_port": 4242}),
                     random.Random(1), 0.0)
    model.feed(b"220 hi\r\n")
    model.prepare(b"USER fuzz\r\nPASS pw\r\nPASV\r\n")
    assert model.feed(b"331 p\r\n230 in\r\n227 Entering Passive Mode (127,0,0,1,4,1).\r\n")
    assert model.state == "DATA_READY" and model.passive_port == 1025
    assert model.prepare(b"RETR x\r\n") == (b"RETR x\r\n", 2)
    assert model.data == ("RETR", 1025)
    assert model.feed(b"550 x: No such file\r\n") == ["550", "no-150"]
    assert model.state == "LOGGED_IN"


def test_an_invalid_reply_leaves_the_sessions_bytes_to_replay(tmp_path):
    """A POP3 server that greets with a line no client can read: the fault names a file
    holding the session's bytes both ways, so the fault can be replayed by hand."""
    import asyncio

    from fuzz.socket_fuzzer import Port, Tally

    async def bad_server(reader, writer):
        writer.write(b"HELLO there\r\n")
        await writer.drain()
        await reader.read(100)
        writer.close()

    async def one_session() -> Tally:
        server = await asyncio.start_server(bad_server, "127.0.0.1", 0)
        port = Port("pop3", "POP3", server.sockets[0].getsockname()[1], "none")
        tally = Tally()
        async with server:
            await Run(7, workdir=tmp_path).session(port, random.Random(7), tally)
        return tally

    tally = asyncio.run(one_session())
    [(kind, what)] = tally.faults
    assert kind == "invalid reply" and "; session: " in what
    kept = what.split("; session: ")[1]
    assert "S: b'HELLO there\\r\\n'" in Path(kept).read_text()


def test_a_400_for_bytes_after_a_request_is_a_fault_unless_a_mutation_left_them():
    """A mutation (a repeated chunk) can leave bytes after the request, which the server
    refuses with a 400 that closes; after an unmutated request any extra response is a fault."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    refusal = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    for mutated in (True, False):
        reader = HTTPResponses()
        reader.expect(False)
        reader.rest_may_be_refused = mutated
        if mutated:
            assert reader.feed(ok + refusal) == ["2xx", "4xx"] and reader.closing
        else:
            with pytest.raises(BadReply, match="nobody asked for"):
                reader.feed(ok + refusal)
    reader = HTTPResponses()
    reader.expect(False)
    reader.rest_may_be_refused = True
    with pytest.raises(BadReply, match="nobody asked for"):           # one that keeps it open
        reader.feed(ok + b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
