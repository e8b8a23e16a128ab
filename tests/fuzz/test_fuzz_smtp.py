"""SMTP engines under random and mutated command streams (issue 16, Build 2).

The server is walked through its state table with RFC 5321 command lines
(mail transactions, AUTH, STARTTLS, message text), mutated at the byte level
and split at random points; the client is pumped against a server whose
replies are mutated.  Nothing raises, every reply is ``ddd[ -]text`` CRLF,
the state stays in the table.
"""
from __future__ import annotations

from random import Random

from engine_adapter import FUZZ, SEEDS, Subject, Walk, converse, table_moves
from hypothesis import given
from hypothesis import strategies as st

from fuzz.grammar import Account, SMTPGrammar
from fuzz.replies import SMTPReplies
from simulator.protocols.smtp import (
    CLIENT_TRANSITIONS,
    TRANSITIONS,
    ClientState,
    Envelope,
    Handler,
    Path,
    ServerConfig,
    SMTPClient,
    SMTPServer,
    State,
)

ACCOUNT = Account("student", "secret")
RATES = st.sampled_from([0.0, 0.1, 0.3, 1.0])


class Users(Handler):
    def authenticate(self, session, mechanism, username, password):
        return (username, password) == (ACCOUNT.user, ACCOUNT.password)


def server_subject(**config) -> Subject:
    engine = SMTPServer(ServerConfig("mx.fuzz.test", starttls=True, offer_auth=True, **config),
                        Users())
    return Subject(engine, list(State), table_moves(TRANSITIONS, closed="CLOSED"))


def check_replies(subject: Subject, out: bytes, utterances: list) -> None:
    """Every byte the server sends belongs to a well-formed reply (RFC 5321 §4.2)."""
    reader = subject.notes.setdefault("replies", SMTPReplies())
    reader.feed(out)
    sent = b"".join(u.raw for u in utterances if u.direction == "s2c")
    assert sent == out, "the transcript does not show what went on the wire"


@FUZZ
@given(seed=SEEDS, steps=st.integers(1, 40), rate=RATES,
       auth_required=st.booleans())
def test_smtp_server_answers_every_stream_with_valid_replies(seed, steps, rate, auth_required):
    subject = server_subject(auth_required=auth_required)
    Walk(subject, SMTPGrammar(ACCOUNT), check_replies, Random(seed), rate).run(steps)
    assert subject.notes["replies"].idle or not subject.closed


@FUZZ
@given(seed=SEEDS, rate=RATES, pipelining=st.booleans(),
       starttls=st.booleans(), credentials=st.booleans(), content=st.binary(max_size=300))
def test_smtp_client_survives_a_server_that_misbehaves(seed, rate, pipelining, starttls,
                                                      credentials, content):
    envelope = Envelope(mail_from=Path("s@client.test"),
                        rcpt_to=[Path("r@mx.fuzz.test"), Path("q@mx.fuzz.test")], content=content)
    engine = SMTPClient("client.test", envelope, pipelining=pipelining, starttls=starttls,
                        credentials=(ACCOUNT.user, ACCOUNT.password) if credentials else None)
    client = Subject(engine, list(ClientState), table_moves(CLIENT_TRANSITIONS, closed="DONE",
                                                            extra=_ANY_TO_ERROR))
    converse(client, server_subject(), Random(seed), rate)


#: The client may give up from any state: garbage (ERROR) or a 421 (QUIT, DONE).
_ANY_TO_ERROR = {str(s): {"ERROR", "QUIT", "DONE"} for s in ClientState}
