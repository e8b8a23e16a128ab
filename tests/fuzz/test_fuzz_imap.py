"""IMAP engines under random and mutated command streams (issue 16, Build 2).

Walks follow the RFC 3501 / RFC 9051 state table (LOGIN or AUTHENTICATE,
SELECT, FETCH, SEARCH, STORE, COPY/MOVE, APPEND with literals, IDLE, STARTTLS
with its handshake), with lines mutated at the byte level (bad tags, lying
literal counts, deep nesting, 8-bit bytes, NULs) and split at random points;
queued commands run one by one or, in concurrent mode, when the driver asks.
Nothing raises, every response is a well-formed tagged, untagged or
continuation response, the state stays in the table.
"""
from __future__ import annotations

from datetime import UTC, datetime
from random import Random

from engine_adapter import FUZZ, SEEDS, Subject, Walk, converse, table_moves
from hypothesis import given
from hypothesis import strategies as st

from fuzz.grammar import Account, IMAPGrammar
from fuzz.replies import IMAPReplies
from simulator.mail.imap_backend import StoreBackend
from simulator.mail.store import MailStore
from simulator.protocols.imap import IMAPConfig, IMAPServer, MailboxHub
from simulator.protocols.imap import states as S
from simulator.protocols.imap.client import IMAPClient
from simulator.protocols.imap.client_script import ScriptStep, command

ACCOUNT = Account("bob@example.org", "secret")
RATES = st.sampled_from([0.0, 0.1, 0.3, 1.0])
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
MESSAGES = (
    b"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: one\r\n\r\nhello\r\n",
    (b"Subject: =?utf-8?b?0L/RgNC40LLQtdGC?=\r\nContent-Type: multipart/mixed; boundary=b\r\n"
    b"\r\n--b\r\nContent-Type: text/plain\r\n\r\npart\r\n--b--\r\n"),
    b"Subject: bare\n\nno CR at all",
)


def backend() -> StoreBackend:
    store = MailStore()
    account = store.add_user(ACCOUNT.user, ACCOUNT.password)
    for data in MESSAGES:
        account.inbox.append(data, internal_date=WHEN)
    return StoreBackend(store)


def server_subject(store: StoreBackend | None = None, hub: MailboxHub | None = None,
                   **config) -> Subject:
    engine = IMAPServer(IMAPConfig("imap.fuzz.test", starttls=True, **config),
                        store or backend(), hub, session_id="fuzz")
    settle = (lambda e: e.run_pending()) if config.get("concurrent") else None
    return Subject(engine, S.STATES, table_moves(S.TABLE, S.AUTOMATIC, closed=S.LOGOUT,
                                                 extra=_SASL_AND_IDLE), settle=settle)


#: AUTHENTICATE without an initial response and IDLE enter SASL / IDLE before their
#: completion; the table shows them as AUTOMATIC edges from the state they left.
_SASL_AND_IDLE = {S.AUTHENTICATED: {S.IDLE}, S.SELECTED: {S.IDLE, S.AUTHENTICATED},
                  S.NOT_AUTHENTICATED: {S.SASL}}


def check_responses(subject: Subject, out: bytes, utterances: list) -> None:
    """Every octet the server sends belongs to a well-formed response (RFC 3501 §7)."""
    subject.notes.setdefault("responses", IMAPReplies()).feed(out)


@FUZZ
@given(seed=SEEDS, steps=st.integers(1, 40), rate=RATES, concurrent=st.booleans(),
       login_requires_tls=st.booleans())
def test_imap_server_answers_every_stream_with_valid_responses(seed, steps, rate, concurrent,
                                                               login_requires_tls):
    subject = server_subject(concurrent=concurrent, login_requires_tls=login_requires_tls)
    Walk(subject, IMAPGrammar(ACCOUNT), check_responses, Random(seed), rate).run(steps)


@FUZZ
@given(seed=SEEDS, rate=RATES, starttls=st.booleans(),
       mechanism=st.sampled_from(["LOGIN", "PLAIN"]), rev2=st.booleans())
def test_imap_client_survives_a_server_that_misbehaves(seed, rate, starttls, mechanism, rev2):
    script = [ScriptStep((command("SELECT INBOX"),)),
              ScriptStep((command("FETCH 1:* (FLAGS BODY.PEEK[])"), command("SEARCH UNSEEN"))),
              ScriptStep((command("APPEND INBOX", literal=MESSAGES[0]),)),
              ScriptStep((command("UID STORE 1 +FLAGS (\\Seen)"),))]
    engine = IMAPClient(ACCOUNT.user, ACCOUNT.password, script, starttls=starttls,
                        mechanism=mechanism, rev2=rev2)
    client = Subject(engine, S.STATES, lambda s: set(S.STATES))
    converse(client, server_subject(), Random(seed), rate)
