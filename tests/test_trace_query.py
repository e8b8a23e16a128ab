"""The trace query API: replies linked to their commands, exchanges, find, filter,
structured bounces and the final state as plain data (issue 18)."""
import json

import pytest

from simulator.network import simulate
from simulator.scenarios import load
from simulator.trace import Trace


@pytest.fixture(scope="module")
def runs():
    cache = {}

    def run(name):
        if name not in cache:
            cache[name] = simulate(load(name))
        return cache[name]
    return run


def test_pipelined_smtp_replies_answer_their_own_commands(runs):
    trace = runs("basic").trace
    mail, rcpt, data = trace.exchanges(command="MAIL")[0], trace.find(command="RCPT"), \
        trace.find(command="DATA")
    # MAIL, RCPT and DATA went in one write, before any reply (RFC 2920)
    assert mail.command.index + 1 == rcpt.command.index == data.command.index - 1
    assert mail.reply.index < rcpt.reply.index
    assert trace.command_of(rcpt.reply).line == "RCPT TO:<bob@b.test>"
    assert rcpt.code == 250 and "Recipient <bob@b.test> OK" in rcpt.reply.line
    # DATA: 354 first, then the message, then 250 after the final dot
    assert data.codes == [354, 250]
    assert [s.explain for s in data.steps if s.direction == "c2s"][1] == "smtp.data.content"
    assert data.reply.answers == data.command.index


def test_find_by_command_and_code(runs):
    trace = runs("bounce").trace
    refused = trace.find(command="rcpt", code=550)
    assert refused.reply.line.startswith("550 5.1.1 <nobody@b.test>")
    assert trace.find(command="RCPT", code=452) is None
    assert [x.code for x in trace.exchanges(code="5xx")] == [550, 503]


def test_greylisting_is_found_by_reply_class(runs):
    trace = runs("retry").trace
    greylisted = trace.exchanges(command="RCPT", code="4xx")
    assert [x.conn for x in greylisted] == ["c2", "c3"]
    assert trace.filter(command="RCPT", code=451) == [x.reply for x in greylisted]
    assert all(s.command == "RCPT" or trace.command_of(s).command == "RCPT"
               for s in trace.filter(command="RCPT"))


def test_exchanges_of_one_connection_start_with_the_greeting(runs):
    trace = runs("basic").trace
    names = [x.name for x in trace.exchanges(conn="c2")]
    assert names == [None, "EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert trace.exchanges(conn="c2")[0].code == 220


def test_imap_untagged_data_belongs_to_the_command_that_overtook(runs):
    """A2 and A3 complete before A1: * STATUS is A3's, * 3 FETCH is A1's (RFC 9051 §5.5)."""
    trace = runs("imap-pipelining").trace
    fetch, status = trace.find(command="FETCH"), trace.find(command="STATUS")
    assert [s.line for s in status.replies] == ["* STATUS Archive (MESSAGES 0)",
                                                "A3 OK STATUS completed"]
    assert fetch.replies[0].line.startswith("* 3 FETCH")
    assert fetch.reply.params["tag"] == "A1" and fetch.code == "OK"
    assert fetch.reply.index > status.reply.index


def test_imap_idle_collects_what_arrived_while_idling(runs):
    trace = runs("imap-idle").trace
    idle = trace.find(command="IDLE")
    assert idle.codes[0] == "+" and idle.code == "OK"
    assert any(s.line.endswith("EXISTS") for s in idle.replies)
    assert "DONE" in [s.line for s in idle.steps if s.direction == "c2s"]


def test_imap_append_with_a_literal_is_one_exchange(runs):
    trace = runs("imap-append").trace
    append = trace.find(command="APPEND")
    assert append.codes == ["+", "OK"] and "APPENDUID" in append.reply.line


def test_pop3_replies_answer_their_commands(runs):
    trace = runs("pop3-dele-rset").trace
    assert trace.find(command="DELE", code="-ERR").reply.line.startswith("-ERR")


def test_a_version_1_trace_still_loads_and_gets_its_links(runs):
    trace = runs("imap-pipelining").trace
    data = json.loads(trace.to_json())
    data["version"] = 1
    for step in data["steps"]:
        step.pop("answers", None)
        if step["protocol"] == "IMAP":            # version 1 had no tag in the data
            step["params"].pop("tag", None) if step["direction"] == "s2c" else None
    old = Trace.from_dict(data)
    assert old.version == 2
    assert [s.answers for s in old if s.line.startswith(("A1 ", "A2 ", "A3 "))] == \
        [s.answers for s in trace if s.line.startswith(("A1 ", "A2 ", "A3 "))]
    assert Trace.from_json(trace.to_json()) == trace


def test_bounces_are_structured(runs):
    [bounce] = runs("bounce").bounces
    assert (bounce.recipient, bounce.status, bounce.sender) == \
        ("nobody@b.test", "5.1.1", "alice@a.test")
    assert bounce.diagnostic.startswith("550 5.1.1 <nobody@b.test>")
    assert bounce.dsn is not None and bounce.time == 0.46


def test_times_are_rounded_as_the_trace_shows_them(runs):
    [delivery] = runs("retry").deliveries
    assert repr(delivery.time) == "360.76"


def test_the_final_state_is_plain_json_data(runs):
    state = runs("bounce").to_dict()
    assert json.loads(json.dumps(state)) == state
    assert [m["subject"] for m in state["mailboxes"]["alice@a.test"]["INBOX"]] == \
        ["Undelivered Mail Returned to Sender"]
    assert state["bounces"][0]["recipient"] == "nobody@b.test"
    assert simulate(load("bounce")).to_dict() == state


def test_ftp_reply_codes_are_numbers_and_150_waits_for_its_226(runs):
    """RFC 959 §4.2: a 1yz reply is preliminary, the transfer's final reply follows it."""
    trace = runs("ftp-active-nat").trace
    assert [x.codes for x in trace.exchanges(command="LIST")] == [[425], [150, 226]]
    assert trace.find(command="RETR").code == 226
    assert trace.find(command="USER").code == 331          # 3yz is final in FTP
    assert [x.name for x in trace.exchanges(protocol="FTP", code="4xx")] == ["LIST"]
    assert trace.find(command="QUIT").reply.line == "221 Goodbye"
    feat = runs("ftp-passive").trace.find(command="FEAT")
    assert feat.code == 211 and feat.reply.line.startswith("211-Features:")
