"""Pipelined commands: out-of-order completion exactly where RFC 9051 §5.5 allows it."""
from __future__ import annotations

import re

import pytest
from imap_kit import World, message, say

from simulator.protocols._base import LocalProtocolError
from simulator.protocols.imap import schedule


def concurrent_world():
    world = World(messages=3, concurrent=True)
    world.account.inbox.append(message(4, size=50_000))
    server = world.session(select="INBOX")
    return world, server


def send(server, *commands: str) -> None:
    server.receive_data("".join(c + "\r\n" for c in commands).encode())


def tag_order(server) -> list[str]:
    server.run_pending()
    return re.findall(r"^(\w+) (?:OK|NO|BAD)", server.data_to_send().decode(), re.MULTILINE)


def test_big_fetch_completes_after_cheap_commands():
    """The imap-pipelining scenario: A1 FETCH of a large body, A2 NOOP, A3 STATUS."""
    _, server = concurrent_world()
    send(server, "A1 FETCH 4 BODY[]", "A2 NOOP", "A3 STATUS Sent (MESSAGES)")
    pending = {p.tag: p for p in server.pending()}
    assert pending["A1"].cost > 40 > pending["A2"].cost
    assert all(p.after == () for p in pending.values())
    assert tag_order(server) == ["A2", "A3", "A1"]


def test_fetch_that_sets_seen_then_search_unseen_runs_in_order():
    _, server = concurrent_world()
    send(server, "A1 FETCH 4 BODY[]", "A2 SEARCH UNSEEN")
    a2 = server.pending()[1]
    assert a2.after == ("A1",) and a2.reason == "imap.order.flags"
    assert tag_order(server) == ["A1", "A2"]
    tagged = next(u for u in server.take_transcript() if u.raw.startswith(b"A2 OK"))
    assert tagged.params["order_reason"] == "imap.order.flags"
    assert tagged.params["order"]["after"] == "A1"


def test_peek_does_not_set_seen_so_search_may_overtake():
    _, server = concurrent_world()
    send(server, "A1 FETCH 4 BODY.PEEK[]", "A2 SEARCH UNSEEN")
    assert server.pending()[1].after == ()
    assert tag_order(server) == ["A2", "A1"]


def test_store_then_copy_runs_in_order():
    _, server = concurrent_world()
    send(server, "A1 STORE 1 +FLAGS \\Flagged", "A2 COPY 1 Trash")
    assert server.pending()[1].reason == "imap.order.store_then_copy"
    assert tag_order(server) == ["A1", "A2"]


@pytest.mark.parametrize("first", ["NOOP", "EXPUNGE", "UID FETCH 1 FLAGS", "COPY 1 Trash"])
def test_sequence_numbers_after_a_command_that_may_expunge_wait(first):
    _, server = concurrent_world()
    send(server, f"A1 {first}", "A2 FETCH 1 UID")
    assert server.pending()[1].reason == "imap.order.sequence_after_expunge"


def test_fetch_store_search_do_not_block_each_other_by_numbers():
    """FETCH + STORE + SEARCH is a valid pipeline (RFC 3501 §5.5): no EXPUNGE can come."""
    _, server = concurrent_world()
    send(server, "A1 FETCH 2 UID", "A2 STORE 3 +FLAGS \\Flagged", "A3 UID SEARCH ALL")
    reasons = [p.reason for p in server.pending()]
    assert "imap.order.sequence_after_expunge" not in reasons


def test_select_is_a_barrier():
    _, server = concurrent_world()
    send(server, "A1 NOOP", "A2 SELECT Trash", "A3 NOOP")
    assert [p.after for p in server.pending()] == [(), ("A1",), ("A2",)]
    assert tag_order(server) == ["A1", "A2", "A3"]


def test_driver_cannot_complete_a_command_before_its_predecessor():
    _, server = concurrent_world()
    send(server, "A1 FETCH 4 BODY[]", "A2 SEARCH UNSEEN")
    with pytest.raises(LocalProtocolError):
        server.complete("A2")


def test_noop_overtaking_a_fetch_holds_expunges_back():
    """RFC 9051 §7.5.1: no EXPUNGE while a FETCH is in progress, even at NOOP's completion."""
    world, server = concurrent_world()
    other = world.session(select="INBOX", concurrent=False)
    say(other, "B1 STORE 1 +FLAGS \\Deleted")
    say(other, "B2 EXPUNGE")
    send(server, "A1 FETCH 4 BODY.PEEK[]", "A2 NOOP")
    server.complete("A2")
    out = server.data_to_send().decode()
    assert "EXPUNGE" not in out and "A2 OK" in out
    noop = next(u for u in server.take_transcript() if u.raw.startswith(b"A2 OK"))
    assert noop.params["expunge_held"] == {"during": "FETCH", "count": 1}
    server.complete("A1")
    assert "EXPUNGE" not in server.data_to_send().decode()
    send(server, "A3 NOOP")
    server.run_pending()
    assert "* 1 EXPUNGE" in server.data_to_send().decode()


def test_schedule_is_pure_data():
    _, server = concurrent_world()
    send(server, "A1 FETCH 4 BODY[]", "A2 SEARCH UNSEEN", "A3 NOOP")
    rows = schedule(server.pending())
    assert [r[0] for r in rows] == ["A3", "A1", "A2"]
    a1 = next(r for r in rows if r[0] == "A1")
    a2 = next(r for r in rows if r[0] == "A2")
    assert a2[1] == a1[2]                 # A2 starts when A1 ends


def test_immediate_mode_answers_in_order():
    world = World(messages=3)
    server = world.session(select="INBOX")
    out = say(server, "A1 FETCH 1 BODY[]\r\nA2 NOOP\r\nA3 STATUS Sent (MESSAGES)")
    assert re.findall(r"^(A\d) OK", out, re.MULTILINE) == ["A1", "A2", "A3"]
