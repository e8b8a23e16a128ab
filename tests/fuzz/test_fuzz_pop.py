"""POP3 and POP2 engines under random and mutated command streams (issue 16, Build 2).

Walks follow the RFC 1939 / RFC 937 state tables (login, TRANSACTION or
READ/RETR/ACK, STLS with its handshake), with lines mutated at the byte level
and split at random points.  Nothing raises, every reply is a valid status
line (and a dot-stuffed block or the announced octets where the command asks
for one), the state stays in the table, and no message is deleted unless the
session ended the way the RFC says deletes it.
"""
from __future__ import annotations

from random import Random

from engine_adapter import FUZZ, SEEDS, Subject, Walk, converse, table_moves
from hypothesis import given
from hypothesis import strategies as st

from fuzz.grammar import Account, POP2Grammar, POP3Grammar
from fuzz.replies import pop2_reply, pop3_reply
from simulator.protocols.pop2 import POP2Client, POP2Config, POP2Server
from simulator.protocols.pop2 import states as P2
from simulator.protocols.pop3 import MemoryMaildrops, POP3Client, POP3Config, POP3Server
from simulator.protocols.pop3 import states as P3

TIMESTAMP = "<1896.697170952@fuzz.test>"
ACCOUNT = Account("mrose", "secret", apop_secret="tanstaaf", apop_timestamp=TIMESTAMP)
RATES = st.sampled_from([0.0, 0.1, 0.3, 1.0])

#: Messages that test the framing: dots to stuff, a bare LF, no final CRLF, 8-bit text.
MESSAGES = (
    b"Subject: one\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n",
    b"Subject: two\r\n\r\nbare\nLF and no final line end",
    "Subject: три\r\n\r\nпривет\r\n".encode(),
    b"Subject: four\r\n\r\n" + b"x" * 2000 + b"\r\n",
)


def backend() -> MemoryMaildrops:
    drops = MemoryMaildrops()
    drops.add_user(ACCOUNT.user, ACCOUNT.password, apop_secret=ACCOUNT.apop_secret)
    for data in MESSAGES:
        drops.add_message(ACCOUNT.user, data)
    return drops


# --------------------------------------------------------------------------- POP3

def pop3_subject(drops: MemoryMaildrops, **config) -> Subject:
    engine = POP3Server(POP3Config("pop.fuzz.test", apop_timestamp=TIMESTAMP, **config), drops,
                        session_id="fuzz")
    return Subject(engine, P3.STATES, table_moves(P3.TABLE, P3.AUTOMATIC, closed=P3.CLOSED))


def check_pop3(subject: Subject, out: bytes, utterances: list) -> None:
    """Each reply is a status line, plus a block exactly when the command has one."""
    command = subject.notes.get("command", ("", ()))
    for u in utterances:
        if u.direction == "c2s":
            command = (u.params.get("verb", ""), tuple(u.params.get("args", ())))
            if u.state_after == P3.UPDATE:
                subject.notes["updated"] = True
        elif u.direction == "s2c":
            pop3_reply(u.raw, P3.is_multiline(*command))
            command = ("", ())
    subject.notes["command"] = command
    assert b"".join(u.raw for u in utterances if u.direction == "s2c") == out


@FUZZ
@given(seed=SEEDS, steps=st.integers(1, 40), rate=RATES,
       stls=st.booleans(), historical=st.booleans(), plaintext=st.booleans())
def test_pop3_server_answers_every_stream_with_valid_replies(seed, steps, rate, stls, historical,
                                                             plaintext):
    drops = backend()
    subject = pop3_subject(drops, stls=stls, historical=historical, plaintext_login=plaintext)
    Walk(subject, POP3Grammar(ACCOUNT), check_pop3, Random(seed), rate).run(steps)
    if not subject.notes.get("updated"):
        assert [d for _, d in drops.messages(ACCOUNT.user)] == list(MESSAGES), \
            "messages were deleted without QUIT from TRANSACTION (RFC 1939 §6)"


@FUZZ
@given(seed=SEEDS, rate=RATES, apop=st.booleans(),
       stls=st.booleans(), leave_copy=st.booleans())
def test_pop3_client_survives_a_server_that_misbehaves(seed, rate, apop, stls, leave_copy):
    engine = POP3Client(ACCOUNT.user, ACCOUNT.password, use_apop=apop, stls=stls,
                        leave_copy=leave_copy)
    client = Subject(engine, (*P3.STATES, P3.GREETING), lambda s: set(P3.STATES) | {P3.GREETING})
    converse(client, pop3_subject(backend(), stls=True), Random(seed), rate)


# --------------------------------------------------------------------------- POP2

def pop2_subject(drops: MemoryMaildrops) -> Subject:
    engine = POP2Server(POP2Config("pop2.fuzz.test"), drops, session_id="fuzz")
    return Subject(engine, P2.STATES, table_moves(P2.TABLE, closed=P2.DONE))


def check_pop2(subject: Subject, out: bytes, utterances: list) -> None:
    """``+ - #nn =ccc`` lines; after RETR exactly the ccc octets last announced (RFC 937)."""
    for u in utterances:
        if u.direction != "s2c":
            continue
        if u.explain == "pop2.reply.text":
            assert u.raw in MESSAGES and len(u.raw) == subject.notes.get("size"), \
                "RETR sent other octets than the =ccc it announced"
            continue
        lead, number = pop2_reply(u.raw)
        if lead == "=":
            subject.notes["size"] = number
    assert b"".join(u.raw for u in utterances if u.direction == "s2c") == out


@FUZZ
@given(seed=SEEDS, steps=st.integers(1, 40), rate=RATES)
def test_pop2_server_answers_every_stream_with_valid_replies(seed, steps, rate):
    drops = backend()
    subject = pop2_subject(drops)
    walk = Walk(subject, POP2Grammar(ACCOUNT), check_pop2, Random(seed), rate)
    walk.run(steps)
    left = [d for _, d in drops.messages(ACCOUNT.user)]
    assert set(left) <= set(MESSAGES) and len(left) == len(set(left))


@FUZZ
@given(seed=SEEDS, rate=RATES, delete=st.booleans(),
       folder=st.sampled_from([None, "INBOX", "other"]))
def test_pop2_client_survives_a_server_that_misbehaves(seed, rate, delete, folder):
    engine = POP2Client(ACCOUNT.user, ACCOUNT.password, delete=delete, folder=folder)
    client = Subject(engine, P2.CLIENT_STATES, lambda s: set(P2.CLIENT_STATES))
    converse(client, pop2_subject(backend()), Random(seed), rate)
