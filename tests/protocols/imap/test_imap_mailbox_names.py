"""Mailbox names on the wire: modified UTF-7 in IMAP4rev1, UTF-8 in IMAP4rev2, and
clear NOs for names no store can hold (RFC 3501 §5.1.3, RFC 9051 §5.1, RFC 5530)."""
from __future__ import annotations

import tempfile

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from imap_kit import World, lines, say

from simulator.mail import folder_names
from simulator.mail.imap_backend import StoreBackend
from simulator.mail.maildir_store import MaildirStore
from simulator.protocols.imap import IMAPConfig, IMAPServer, MailboxHub, mutf7

INBOX_RU = "&BBIERQQ+BDQETwRJBDgENQ-"          # «Входящие» as Thunderbird sends it


def rev2(world: World):
    server = world.session(login=True)
    assert lines(say(server, "E1 ENABLE IMAP4rev2"))[-1] == "E1 OK ENABLE completed"
    return server


def listed(server) -> list[str]:
    return [x for x in lines(say(server, 'L LIST "" *')) if x.startswith("* LIST")]


def test_a_cyrillic_folder_created_in_modified_utf7_is_utf8_to_imap4rev2():
    world = World()
    old = world.session(login=True)
    assert lines(say(old, f"C1 CREATE {INBOX_RU}/2024")) == ["C1 OK CREATE completed"]
    assert world.account.has_folder("Входящие/2024")
    assert f'* LIST (\\HasChildren) "/" {INBOX_RU}' in listed(old)
    new = rev2(world)
    shown = "Входящие/2024".encode()
    assert b'"/" {%d}\r\n%s\r\n' % (len(shown), shown) in say(new, 'L LIST "" *').encode()
    assert lines(say(new, 'S1 SELECT "Входящие/2024"'))[-1].startswith("S1 OK")
    out = lines(say(old, f'S2 STATUS "{INBOX_RU}/2024" (MESSAGES)'))
    assert out[0] == f'* STATUS {INBOX_RU}/2024 (MESSAGES 0)'


def test_ampersand_is_written_amp_dash():
    world = World()
    server = world.session(login=True)
    assert lines(say(server, "C1 CREATE R&-D"))[-1] == "C1 OK CREATE completed"
    assert world.account.has_folder("R&D")
    assert '* LIST (\\HasNoChildren) "/" R&-D' in listed(server)


@pytest.mark.parametrize(("wire", "why"), [
    ('"Входящие"', "mailbox_8bit"), ("R&D", "mailbox_not_mutf7"), ("&AGE-", "mailbox_not_mutf7"),
    ("&BBI-&BEU-", "mailbox_not_mutf7"), ("&BBJ-", "mailbox_not_mutf7")])
def test_a_name_that_is_not_modified_utf7_is_refused_in_imap4rev1(wire, why):
    world = World()
    server = world.session(login=True)
    out = lines(say(server, f"C1 CREATE {wire}"))
    assert out == ["C1 NO [CANNOT] Mailbox name is not modified UTF-7 (RFC 3501 5.1.3)"]
    assert server.take_transcript()[-1].explain == f"imap.reply.{why}"
    assert len(world.account.folders) == 5          # INBOX and the four special-use folders


@pytest.mark.parametrize(("command", "answer"), [
    ("CREATE " + "x" * 300, "C1 NO [LIMIT] Mailbox name too long: 300 octets, max 254"),
    ("CREATE " + "/".join(["a"] * 150), "C1 NO [LIMIT] Mailbox name has 150 levels, at most 16"),
    ("CREATE a//b", "C1 NO [CANNOT] Invalid mailbox name: a hierarchy level is empty"),
    ("CREATE a*b", "C1 NO [CANNOT] Invalid mailbox name: U+002A is not allowed"),
    ("RENAME Junk " + "y" * 300, "C1 NO [LIMIT] Mailbox name too long: 300 octets, max 254"),
])
def test_names_no_store_can_hold_get_a_clear_no_and_the_session_goes_on(command, answer):
    world = World()
    server = world.session(login=True)
    assert lines(say(server, "C1 " + command)) == [answer]
    assert sorted(world.account.folders) == ["Drafts", "INBOX", "Junk", "Sent", "Trash"]
    assert lines(say(server, "N1 NOOP")) == ["N1 OK NOOP completed"]


@pytest.mark.parametrize(("literal", "char"), [("{3+}\r\na\0b", "U+0000"),
                                              ("{4+}\r\na\r\nb", "U+000D")])
def test_control_characters_are_refused_in_both_spellings(literal, char):
    world = World()
    old = world.session(login=True)
    assert lines(say(old, "C1 CREATE " + literal)) == [
        "C1 NO [CANNOT] Mailbox name is not modified UTF-7 (RFC 3501 5.1.3)"]
    assert lines(say(rev2(world), "C2 CREATE " + literal)) == [
        f"C2 NO [CANNOT] Invalid mailbox name: {char} is not allowed"]
    assert len(world.account.folders) == 5


def test_a_failed_create_leaves_no_superior_behind():
    world = World()
    server = world.session(login=True)
    out = lines(say(server, "C1 CREATE new/deeper/" + "z" * 250))
    assert out[0].startswith("C1 NO [LIMIT]")
    assert not world.account.has_folder("new") and not world.account.has_folder("new/deeper")
    assert lines(say(server, "A1 APPEND new {1+}\r\nx"))[-1].startswith("A1 NO [TRYCREATE]")


def test_rename_checks_the_new_names_of_the_children_too():
    world = World()
    server = world.session(login=True)
    say(server, "C1 CREATE p/" + "c" * 200)
    assert lines(say(server, "R1 RENAME p " + "q" * 60))[0].startswith("R1 NO [LIMIT]")
    assert world.account.has_folder("p/" + "c" * 200) and not world.account.has_folder("q" * 60)


def test_a_missing_mailbox_with_a_line_break_in_its_name_cannot_inject_a_response():
    server = rev2(World())
    out = lines(say(server, "S1 SELECT {10+}\r\nx\r\nS1 OK y"))
    assert out == ["S1 NO [NONEXISTENT] Mailbox x&AA0ACg-S1 OK y does not exist"]


LEVEL = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/*%"),
                min_size=1, max_size=8)


@settings(max_examples=25, deadline=None)
@given(st.lists(LEVEL, min_size=1, max_size=3).map("/".join))
@example("\uf900")     # canonically U+8C48: the store must find it under either spelling
@example("Trash")      # a default folder: skipped, not failed
def test_any_valid_name_round_trips_through_the_wire_and_a_maildir_restart(name):
    if folder_names.problem(name) is not None or name.upper().startswith("INBOX"):
        return
    wire = mutf7.encode(name)
    with tempfile.TemporaryDirectory() as root:
        store = MaildirStore(root)
        store.add_user("bob@example.org", "secret")
        # A new account already has Drafts, Junk, Sent and Trash: CREATE of one of those is
        # rightly NO [ALREADYEXISTS] (RFC 9051 §6.3.4), not a name the round trip is about.
        assume(not store.account("bob@example.org").has_folder(name))
        server = IMAPServer(IMAPConfig(hostname="imap.example.org"), StoreBackend(store),
                            MailboxHub(), session_id="s1")
        server.initiate()
        say(server, "L1 LOGIN bob secret")
        quoted = '"' + wire.replace("\\", "\\\\").replace('"', '\\"') + '"'
        assert lines(say(server, f"C1 CREATE {quoted}"))[-1] == "C1 OK CREATE completed"
        again = MaildirStore(root)
        again.add_user("bob@example.org", "secret")
        assert again.account("bob@example.org").has_folder(name)


def test_a_decomposed_name_opens_the_same_folder_as_the_composed_one():
    world = World()
    old = world.session(login=True)
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    assert lines(say(old, f"C1 CREATE {mutf7.encode(decomposed)}"))[-1] == "C1 OK CREATE completed"
    assert world.account.has_folder(composed)
    out = say(rev2(world), f'S1 SELECT "{decomposed}"')
    assert lines(out)[-1].startswith("S1 OK")

