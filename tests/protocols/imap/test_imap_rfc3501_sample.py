"""RFC 3501 §8: the sample IMAP4rev1 connection, replayed against the engine."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from imap_kit import World, feed, lines

PDT = timezone(timedelta(hours=-7))
MINUTES = (b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
           b"From: Terry Gray <gray@cac.washington.edu>\r\n"
           b"Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
           b"To: imap@cac.washington.edu\r\n"
           b"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
           b"Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"
           + b"The minutes of the IMAP4rev1 working group meeting.\r\n" * 56)


def rfc_world() -> World:
    """mrc's INBOX: 18 messages, 17 and 18 recent, 17 the first unseen, UIDVALIDITY 3857529045."""
    world = World()
    world.store.add_user("mrc@cac.washington.edu", "secret")
    inbox = world.store.account("mrc@cac.washington.edu").inbox
    inbox.uidvalidity = 3857529045
    for n in range(1, 19):
        data = MINUTES if n == 12 else f"Subject: note {n}\r\n\r\ntext\r\n".encode()
        flags = {"\\Seen"} if n < 17 else set()
        inbox.append(data, flags, datetime(1996, 7, 17, 2, 44, 25, tzinfo=PDT))
    world.hub.forget_recent("mrc@cac.washington.edu/INBOX", 17)
    return world


def run(bytewise: bool) -> list[str]:
    server = rfc_world().session()
    server.initiate()
    out = lines(server.data_to_send().decode())
    for command in (b"a001 login mrc secret", b"a002 select inbox", b"a003 fetch 12 full",
                    b"a004 fetch 12 body[header]", b"a005 store 12 +flags \\deleted",
                    b"a006 logout"):
        out += lines(feed(server, command + b"\r\n", bytewise).decode())
    assert server.closed
    return out


def test_sample_session(bytewise):
    out = run(bytewise)
    assert out[0].startswith("* OK [CAPABILITY IMAP4rev1")
    assert re.fullmatch(r"a001 OK .*", out[1])
    select = out[2:out.index("a002 OK [READ-WRITE] SELECT completed") + 1]
    assert "* 18 EXISTS" in select
    assert "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)" in select
    assert "* 2 RECENT" in select
    assert "* OK [UNSEEN 17] First unseen" in select
    assert "* OK [UIDVALIDITY 3857529045] UIDs valid" in select
    full = next(x for x in out if x.startswith("* 12 FETCH (FLAGS"))
    assert full.startswith('* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" '
                           "RFC822.SIZE ")
    # The RFC's sample writes a space between the two To addresses; its formal
    # syntax (§9 env-to = "(" 1*address ")") has none, and Dovecot sends none.
    assert ('ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" '
            '"IMAP4rev1 WG mtg summary and minutes" '
            '(("Terry Gray" NIL "gray" "cac.washington.edu")) '
            '(("Terry Gray" NIL "gray" "cac.washington.edu")) '
            '(("Terry Gray" NIL "gray" "cac.washington.edu")) '
            '((NIL NIL "imap" "cac.washington.edu")) '
            '((NIL NIL "minutes" "CNRI.Reston.VA.US")'
            '("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL '
            '"<B27397-0100000@cac.washington.edu>")') in full
    # type and subtype as the message spells them, as in the RFC's own sample
    assert re.search(r'BODY \("TEXT" "PLAIN" \("charset" "US-ASCII"\) NIL NIL "7bit" \d+ 56\)\)$',
                     full)
    header = out.index("* 12 FETCH (BODY[HEADER] {342}")
    assert out[header + 1] == "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"
    assert out[header + 8] == "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII"
    assert out[header + 9] == ")"
    assert "* 12 FETCH (FLAGS (\\Deleted \\Seen))" in out
    assert out[-2:] == ["* BYE imap.example.org IMAP server terminating connection",
                        "a006 OK LOGOUT completed"]


def test_sample_session_transcript_names_every_step():
    server = rfc_world().session()
    feed(server, b"a001 login mrc secret\r\na002 select inbox\r\n")
    steps = server.take_transcript()
    assert [u.explain for u in steps if u.direction == "c2s"] == ["imap.cmd.LOGIN", "imap.cmd.SELECT"]
    tagged = [u for u in steps if u.direction == "s2c" and u.raw.startswith(b"a00")]
    assert (tagged[0].state_before, tagged[0].state_after) == ("NOT_AUTHENTICATED", "AUTHENTICATED")
    assert (tagged[1].state_before, tagged[1].state_after) == ("AUTHENTICATED", "SELECTED")
