"""The IMAP client engine against the server engine: scripts, pipelining, literals, IDLE, view."""
from __future__ import annotations

import pytest
from imap_kit import World, say

from simulator.protocols.imap import IMAPConfig, IMAPServer
from simulator.protocols.imap.client import IMAPClient
from simulator.protocols.imap.client_responses import ResponseReader
from simulator.protocols.imap.client_script import (
    ScriptStep,
    assign_tags,
    command,
    idle_step,
    split_tag,
)


def steps(*groups) -> list[ScriptStep]:
    """Each argument a line (one command) or a tuple of lines (sent together)."""
    out = []
    for group in groups:
        lines = (group,) if isinstance(group, str) else group
        out.append(ScriptStep(tuple(command(line) for line in lines)))
    return out


class Wire:
    """A client and a fresh server session of ``world``, pumped until both are quiet."""

    def __init__(self, world: World, client: IMAPClient, bytewise: bool = False, **config):
        cfg = IMAPConfig(**{**world.config.__dict__, **config})
        self.server = IMAPServer(cfg, world.backend, world.hub, session_id="wire")
        self.client, self.bytewise = client, bytewise
        self.writes: list[bytes] = []            # each client write, as one chunk
        self.on_timer = None
        self.server.initiate()

    def run(self) -> IMAPClient:
        for _ in range(200):
            moved = self._to_client() | self._to_server()
            timer = self.client.take_timer()
            if timer is not None:
                if self.on_timer:
                    self.on_timer(self.client)
                self.client.timer_fired()
            elif not moved:
                break
        return self.client

    def _to_client(self) -> bool:
        data = self.server.data_to_send()
        chunks = [data[i:i + 1] for i in range(len(data))] if self.bytewise else [data]
        for chunk in chunks if data else []:
            self.client.receive_data(chunk)
        return bool(data)

    def _to_server(self) -> bool:
        data = self.client.data_to_send()
        if data:
            self.writes.append(data)
            self.server.receive_data(data)
            self.server.run_pending()
        return bool(data)


def server_rows(world: World, folder: str = "INBOX"):
    box = world.account.folder(folder)
    return [(m.uid, tuple(sorted(m.flags))) for m in box.messages]


# -- script, tags, dialogue --------------------------------------------------------------

def test_tags_are_generated_and_given_ones_are_kept():
    assert split_tag("A1 NOOP") == ("A1", "NOOP")
    assert split_tag("noop") == (None, "noop")
    assert split_tag("UID FETCH 1:* FLAGS") == (None, "UID FETCH 1:* FLAGS")
    tagged = assign_tags(steps("NOOP", "A1 NOOP", "NOOP"))
    assert [s.commands[0].tag for s in tagged] == ["A2", "A1", "A3"]


def test_login_select_and_headers_only_keep_the_view_equal_to_the_mailbox(bytewise):
    world = World(messages=3)
    client = IMAPClient("bob", "secret", steps(
        "SELECT INBOX",
        "FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])"))
    Wire(world, client, bytewise).run()
    assert client.closed and client.result.logged_in
    assert [t for t, _ in client.result.sent] == ["A1", "A2", "A3", "A4"]
    assert client.mailbox.rows() == server_rows(world)
    first = client.mailbox.messages[0]
    assert first.header.startswith(b"From: Alice") and b"Subject: message 1" in first.header
    assert first.body is None and first.size == len(world.account.inbox.messages[0].data)
    assert client.mailbox.uidnext == 4 and client.mailbox.uidvalidity is not None


def test_failed_login_skips_to_logout():
    client = IMAPClient("bob", "wrong", steps("SELECT INBOX"))
    Wire(World(messages=1), client).run()
    assert [c.name for c in client.result.completions] == ["LOGIN", "LOGOUT"]
    assert client.result.completion("A1").status == "NO" and not client.result.logged_in


def test_a_script_that_logs_in_itself_gets_no_second_login():
    client = IMAPClient("bob", "secret", steps("L1 LOGIN bob secret", "NOOP"))
    Wire(World(), client).run()
    assert [c for _, c in client.result.sent] == ["LOGIN", "NOOP", "LOGOUT"]


# -- pipelining and literals ---------------------------------------------------------------

def test_a_group_goes_out_in_one_write_and_completes_per_tag():
    world = World(messages=2)
    client = IMAPClient("bob", "secret", steps(
        "SELECT INBOX", ("A7 FETCH 1 (FLAGS)", "A8 NOOP", "A9 SEARCH ALL")))
    wire = Wire(world, client)
    wire.run()
    assert wire.writes[2] == b"A7 FETCH 1 (FLAGS)\r\nA8 NOOP\r\nA9 SEARCH ALL\r\n"
    assert client.result.search("A9") == [1, 2]


def test_append_waits_for_the_continuation_before_the_literal():
    world = World()
    client = IMAPClient("bob", "secret", [ScriptStep((
        command("APPEND INBOX (\\Seen)", b"Subject: hi\r\n\r\nbody"), command("NOOP")))])
    wire = Wire(world, client)
    wire.run()
    assert wire.writes[1] == b"A2 APPEND INBOX (\\Seen) {19}\r\n"
    assert wire.writes[2] == b"Subject: hi\r\n\r\nbody\r\nA3 NOOP\r\n"
    assert client.result.completion("A2").code.startswith("APPENDUID")
    assert server_rows(world) == [(1, ("\\Seen",))]


# -- other sessions: the view follows untagged responses ------------------------------------

def test_view_follows_another_sessions_store_and_expunge_at_noop():
    world = World(messages=4)
    phone = world.session(select="INBOX")

    def elsewhere(_client):
        say(phone, "P1 STORE 1 +FLAGS (\\Seen)")
        say(phone, "P2 STORE 2,3 +FLAGS (\\Deleted)")
        say(phone, "P3 EXPUNGE")

    client = IMAPClient("bob", "secret", [*steps("SELECT INBOX", "FETCH 1:* (UID FLAGS)"),
                                          ScriptStep((command("A9 NOOP"),), pause=5)])
    wire = Wire(world, client)
    wire.on_timer = elsewhere
    wire.run()
    noop = client.result.completion("A9")
    # The second "2 EXPUNGE" is old message 3: the first one renumbered it (RFC 3501 §7.4.1).
    assert [r.line for r in noop.data] == ["* 2 EXPUNGE", "* 2 EXPUNGE", "* 1 FETCH (FLAGS (\\Seen))"]
    assert client.mailbox.rows() == server_rows(world) == [(1, ("\\Seen",)), (4, ())]


def test_idle_gets_exists_pushed_and_ends_with_done():
    world = World(messages=1)
    phone = world.session(login=True)

    def deliver(_client):
        say(phone, b"P1 APPEND INBOX {14}\r\n")
        say(phone, b"Subject: x\r\n\r\n\r\n")

    client = IMAPClient("bob", "secret", [*steps("SELECT INBOX"), idle_step(30),
                                          *steps("FETCH 1:* (UID FLAGS)")])
    wire = Wire(world, client)
    wire.on_timer = deliver
    wire.run()
    assert [r.line for r in client.result.pushed] == ["* 2 EXISTS", "* 2 RECENT"]
    assert b"DONE\r\n" in wire.writes
    assert client.result.completion("A3").status == "OK"
    assert client.mailbox.rows() == server_rows(world)


# -- the response reader ---------------------------------------------------------------------

@pytest.mark.parametrize("split", [False, True])
def test_reader_takes_literals_codes_and_continuations(split):
    data = (b"* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n* OK [UIDNEXT 8] next\r\n"
            b"+ go on\r\nA1 NO [TRYCREATE] no such mailbox\r\n")
    reader, out = ResponseReader(), []
    for chunk in ([data[i:i + 1] for i in range(len(data))] if split else [data]):
        reader.feed(chunk)
        out += reader.responses()
    fetch, ok, plus, done = out
    assert (fetch.number, fetch.name, bytes(fetch.values[0][3])) == (1, "FETCH", b"hello")
    assert (ok.status, ok.code, ok.text) == ("OK", "UIDNEXT 8", "next")
    assert plus.kind == "continuation" and plus.text == "go on"
    assert (done.tag, done.status, done.code) == ("A1", "NO", "TRYCREATE")
