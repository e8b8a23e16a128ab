"""RFC rules behind the imaptest base-protocol scripts, with our own messages.

Sections and part numbers (RFC 3501 §6.4.5), BODY/BODYSTRUCTURE (§7.4.2),
ENVELOPE groups and routes (§7.4.2), address SEARCH (§6.4.4), \\Recent
(§2.3.2, §6.3.1, §6.3.10), LSUB (§6.3.9), atoms (§9) and flag keywords.
"""
from __future__ import annotations

from imap_kit import World, lines, say

from simulator.protocols.imap import addresses, mimeparts

NESTED = (b"From: outer@example.org\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed;\r\n boundary=\"one\r\n two\"\r\n\r\n"
          b"preamble\r\n--one two\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
          b"--one two\r\nContent-Type: message/rfc822\r\n\r\n"
          b"From: inner@example.org\r\nSubject: inner\r\n"
          b"Content-Type: multipart/alternative; boundary=b2\r\n\r\n"
          b"--b2\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
          b"--b2\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--b2--\r\n"
          b"\r\n--one two--\r\nepilogue\r\n")
# the CRLF just before "--one two--" belongs to the delimiter (RFC 2046 §5.1.1)
INNER = NESTED[NESTED.index(b"From: inner"):NESTED.index(b"\r\n--one two--")]
WRAPPED = (b"From: a@example.org\r\nContent-Type: message/rfc822\r\n\r\n"
           b"From: b@example.org\r\nSubject: wrapped\r\n\r\nbody\r\n")


def section(raw: bytes, spec: str) -> bytes:
    from simulator.protocols.imap.fetch import section_bytes
    return section_bytes(raw, spec)


def test_multipart_parts_are_cut_at_delimiters_with_a_folded_boundary():
    root = mimeparts.entity(NESTED)
    assert root.parts[0].body == b"first"
    assert root.parts[1].body == INNER


def test_section_numbers_go_into_encapsulated_messages():
    assert section(NESTED, "1") == b"first"
    assert section(NESTED, "2") == INNER                 # message/rfc822 part: the whole message
    assert section(NESTED, "2.MIME") == b"Content-Type: message/rfc822\r\n\r\n"
    assert section(NESTED, "2.HEADER").startswith(b"From: inner@example.org\r\n")
    assert section(NESTED, "2.HEADER.FIELDS (SUBJECT)") == b"Subject: inner\r\n\r\n"
    assert section(NESTED, "2.TEXT").startswith(b"--b2\r\n")
    assert section(NESTED, "2.1") == b"plain"
    assert section(NESTED, "2.2.MIME") == b"Content-Type: text/html\r\n\r\n"
    assert section(NESTED, "TEXT").startswith(b"preamble\r\n")


def test_part_one_of_a_single_part_message_is_its_body():
    assert section(WRAPPED, "1") == WRAPPED.split(b"\r\n\r\n", 1)[1]
    assert section(WRAPPED, "1.1") == b"body\r\n"
    assert section(WRAPPED, "1.HEADER") == b"From: b@example.org\r\nSubject: wrapped\r\n\r\n"
    assert section(WRAPPED, "3") == b""                   # no such part: empty, not an error
    assert section(WRAPPED, "1.1.HEADER") == b""          # text part: no message header


def test_bodystructure_keeps_spelling_params_language_and_location():
    world = World()
    world.account.inbox.append(
        b"Content-Type: Text/X-Mine; Format=flowed\r\nContent-Language: en, ru\r\n"
        b"Content-Location: http://example.org/x\r\nContent-MD5: abc\r\n\r\nl1\r\nl2")
    server = world.session(select="INBOX")
    out = say(server, "A1 FETCH 1 (BODY BODYSTRUCTURE)")
    assert 'BODY ("Text" "X-Mine" ("format" "flowed" "charset" "us-ascii") NIL NIL "7bit" 6 1)' in out
    assert ('"7bit" 6 1 "abc" NIL ("en" "ru") "http://example.org/x")') in out


def test_bodystructure_of_nested_message_and_folded_boundary():
    world = World()
    world.account.inbox.append(NESTED)
    out = say(world.session(select="INBOX"), "A1 FETCH 1 BODY")
    assert '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0)("message" "rfc822"' in out
    # the message/rfc822 part ends with its line count, then comes the outer subtype
    inner_lines = INNER.count(b"\n")
    assert f'"alternative") {inner_lines}) "mixed")' in out


def test_envelope_groups_routes_and_comment_names():
    parsed = addresses.parse("team: a@x.org, B <b@y.org>;, empty:;, c@z (Carol), <@r1,@r2:d@w>")
    assert [(a.name, a.adl, a.mailbox, a.host) for a in parsed] == [
        (None, None, "team", None), (None, None, "a", "x.org"), ("B", None, "b", "y.org"),
        (None, None, None, None), (None, None, "empty", None), (None, None, None, None),
        ("Carol", None, "c", "z"), (None, "@r1,@r2", "d", "w")]


def test_envelope_on_the_wire_has_group_markers_and_sender_defaults():
    world = World()
    world.account.inbox.append(b"From: x@example.org (X)\r\nSender: \r\nTo: list:;\r\n\r\nb\r\n")
    out = say(world.session(select="INBOX"), "A1 FETCH 1 ENVELOPE")
    assert ('ENVELOPE (NIL NIL (("X" NIL "x" "example.org")) (("X" NIL "x" "example.org")) '
            '(("X" NIL "x" "example.org")) ((NIL NIL "list" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)'
            ) in out


def test_search_from_matches_parsed_address_and_names():
    world = World()
    world.account.inbox.append(b"From: <ann (c)@ (c) example.org>\r\n\r\nb\r\n")
    world.account.inbox.append(b"From: ann@example.org (Annie)\r\nTo: crew: z@q.org;\r\n\r\nb\r\n")
    server = world.session(select="INBOX")
    assert "* SEARCH 1 2\r\n" in say(server, "A1 SEARCH FROM ann@example.org")
    assert "* SEARCH 2\r\n" in say(server, "A2 SEARCH FROM nnie")
    assert "* SEARCH 2\r\n" in say(server, "A3 SEARCH TO crew")


def test_recreated_mailbox_has_recent_messages_again():
    world = World()
    server = world.session(login=True)
    say(server, "A1 CREATE Box")
    say(server, "A2 APPEND Box {3}\r\nx\r\n")
    say(server, "A3 SELECT Box")
    say(server, "A4 CLOSE")
    say(server, "A5 DELETE Box")
    say(server, "A6 CREATE Box")
    say(server, "A7 APPEND Box {3}\r\ny\r\n")
    assert "(RECENT 1)" in say(server, "A8 STATUS Box (RECENT)")
    assert "* 1 RECENT" in say(server, "A9 EXAMINE Box")


def test_status_recent_does_not_count_another_sessions_recent():
    world = World(messages=1)
    holder = world.session(select="INBOX")           # told first: \Recent is its own
    other = world.session(login=True)
    assert "(RECENT 0)" in say(other, "B1 STATUS INBOX (RECENT)")
    assert "(RECENT 1)" in say(holder, "A1 STATUS INBOX (RECENT)")


def test_search_new_old_recent():
    world = World(messages=2)
    server = world.session(select="INBOX")
    say(server, "A1 STORE 2 +FLAGS (\\Seen)")
    assert "* SEARCH 1\r\n" in say(server, "A2 SEARCH NEW")
    assert "* SEARCH\r\n" in say(server, "A3 SEARCH OLD")
    assert "* SEARCH 1 2\r\n" in say(server, "A4 SEARCH RECENT")


def test_lsub_shows_unsubscribed_parent_as_noselect_and_create_does_not_subscribe():
    world = World()
    server = world.session(login=True)
    for name in ("p", "p/a", "p/b", "p/b/c"):
        say(server, f"A CREATE {name}")
    assert lines(say(server, 'L1 LSUB "" p/%')) == ["L1 OK LSUB completed"]
    say(server, "A SUBSCRIBE p/a")
    say(server, "A SUBSCRIBE p/b/c")
    out = lines(say(server, 'L2 LSUB "" p/%'))
    assert '* LSUB (\\HasNoChildren) "/" p/a' in out
    assert '* LSUB (\\Noselect) "/" p/b' in out
    assert not any("p/b/c" in x for x in out)
    assert '* LSUB (\\Noselect) "/" p' in say(server, 'L3 LSUB "" %')


def test_unclosed_bracket_is_part_of_a_mailbox_atom():
    server = World().session(login=True)
    assert "A1 NO" in say(server, "A1 SELECT box[}x")


def test_nil_is_a_flag_keyword_in_store():
    server = World(messages=1).session(select="INBOX")
    assert "A1 OK" in say(server, "A1 STORE 1 +FLAGS NIL")
    assert "NIL" in say(server, "A2 FETCH 1 FLAGS").split("FLAGS (", 1)[1].split(")")[0]


def test_imap4rev2_is_advertised_and_enabled_only_when_configured():
    plain = World(imap4rev2=False).session(login=True)
    assert "IMAP4rev2" not in say(plain, "A1 CAPABILITY")
    assert lines(say(plain, "A2 ENABLE IMAP4rev2"))[0] == "* ENABLED"     # RFC 5161: ignored
    rev2 = World().session(login=True)                     # on by default
    assert "IMAP4rev1 IMAP4rev2" in say(rev2, "B1 CAPABILITY")
    assert "* ENABLED IMAP4rev2" in say(rev2, "B2 ENABLE IMAP4rev2")


def test_id_in_any_state_with_limits_of_rfc2971():
    server = World().session()
    assert "* ID (" in say(server, "A1 ID NIL")
    pairs = " ".join(f'"f{n}" "{"v" * 1024}"' for n in range(30))
    out = say(server, f"A2 ID ({pairs})")
    assert "A2 OK" in out and '"name" "mailsim"' in out
    assert "A3 BAD" in say(server, 'A3 ID ("' + "k" * 31 + '" "v")')
    assert "A4 BAD" in say(server, 'A4 ID ("odd")')


def test_bodystructure_passes_rfc2231_parameters_through_as_sent():
    # RFC 3501 §7.4.2 body-fld-param: the client decodes RFC 2231, the server does not
    world = World()
    world.account.inbox.append(
        b"Content-Type: application/octet-stream; Size=3;\r\n"
        b" name*0*=utf-8''%D0%BE%D1%82; name*1=\"\xd0\xbe\xd1\x82\xd1\x87\xd1\x91\xd1\x82.txt\"\r\n\r\nabc")
    server = world.session(select="INBOX")
    out = say(server, "A1 FETCH 1 (BODYSTRUCTURE)")
    # in order, names lower-cased, RFC 2231 names and values untouched; 8-bit as a literal
    assert ('("size" "3" "name*0*" "utf-8\'\'%D0%BE%D1%82" "name*1" {14}\r\nотчёт.txt)'
            in out)


def test_multipart_without_boundary_is_one_empty_part():
    # RFC 2046 §5.1.1 requires the boundary; without it the body is all preamble
    world = World()
    world.account.inbox.append(b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nlost\r\n--x--\r\n")
    server = world.session(select="INBOX")
    out = say(server, "A1 FETCH 1 (BODYSTRUCTURE BODY[1])")
    assert ('BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 '
            'NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)') in out
    assert 'BODY[1] ""' in out or "BODY[1] {0}" in out
