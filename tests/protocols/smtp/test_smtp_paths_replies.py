"""Addresses with source routes, the Reply value, dot-stuffing."""
from __future__ import annotations

import pytest
from smtp_kit import ask, make_server

from simulator.protocols.smtp import Path, Reply, dot_stuff, parse_path
from simulator.protocols.smtp.content import DataReader

# --- paths and source routes (RFC 821 §3.6, RFC 5321 §4.1.2, appendix C) -------------

def test_rfc821_source_route_example():
    path = parse_path("<@ONE,@TWO:JOE@THREE>")
    assert path.route == ("ONE", "TWO") and path.mailbox == "JOE@THREE"
    assert str(path) == "<@ONE,@TWO:JOE@THREE>"
    assert (path.local_part, path.domain) == ("JOE", "THREE")


def test_relay_removes_itself_from_forward_path_and_adds_itself_to_reverse_path():
    forward = parse_path("<@hosta.test,@hostb.test:user@d.test>")
    assert str(forward.without_first_hop()) == "<@hostb.test:user@d.test>"
    assert str(forward.without_first_hop().without_first_hop()) == "<user@d.test>"
    reverse = parse_path("<sender@origin.test>")
    assert str(reverse.with_hop_prepended("hosta.test")) == "<@hosta.test:sender@origin.test>"
    assert reverse.with_hop_prepended("b.test").with_hop_prepended("a.test").route \
        == ("a.test", "b.test")


def test_a_bad_path_is_refused_with_its_reason_every_time_it_is_sent():
    # paths are remembered once parsed; a refusal never is, nor a path's parameters
    for _ in range(2):
        with pytest.raises(ValueError, match="angle brackets"):
            parse_path("joe@three.test")
    server = make_server()
    ask(server, "EHLO c.test")
    assert ask(server, "MAIL FROM:<a@b.test> SIZE=100")[0].code == 250
    assert server.envelope.mail_from.params == (("SIZE", "100"),)
    assert ask(server, "RSET", "MAIL FROM:<a@b.test>")[1].code == 250
    assert server.envelope.mail_from.params == ()


def test_replies_shared_by_sessions_carry_enhanced_codes_only_after_ehlo():
    # RFC 2034 §3: a catalogue reply serves every session; its plain form is made once
    ehlo, helo = make_server(), make_server()
    ask(ehlo, "EHLO c.test")
    ask(helo, "HELO c.test")
    for _ in range(2):
        for server in (ehlo, helo, ehlo):
            line = str(ask(server, "MAIL FROM:<a@b.test>", "RSET")[0].wire, "ascii")
            enhanced = server is ehlo
            assert line.startswith("250 2.1.0 Sender <a@b.test> OK" if enhanced
                                   else "250 Sender <a@b.test> OK")


def test_null_path_and_postmaster():
    assert parse_path("<>").is_null and str(Path("")) == "<>"
    with pytest.raises(ValueError):
        parse_path("<>", null_ok=False)
    assert parse_path("<Postmaster>", postmaster_ok=True).mailbox == "Postmaster"
    with pytest.raises(ValueError):
        parse_path("<Postmaster>")


@pytest.mark.parametrize("text", [
    "user@d.test", "<user>", "<@:joe@x.test>", "<@a.test joe@x.test>", "<@a.test,b.test:j@x.test>",
    "<a b@x.test>", "<.a@x.test>", "<a@-x.test>", "<иван@пример.рф>",
])
def test_malformed_paths_raise_value_error_with_a_reason(text):
    with pytest.raises(ValueError) as err:
        parse_path(text)
    assert str(err.value)


def test_quoted_local_part_and_address_literal():
    assert parse_path('<"john smith"@x.test>').local_part == '"john smith"'
    assert parse_path("<root@[192.0.2.1]>").domain == "[192.0.2.1]"


def test_smtputf8_allows_cyrillic():
    assert parse_path("<иван@пример.рф>", smtputf8=True).domain == "пример.рф"


def test_params_do_not_change_equality():
    assert Path("a@b.test", params=(("SIZE", "10"),)) == Path("a@b.test")
    assert {Path("a@b.test"): 1}[Path("a@b.test", params=(("BODY", "7BIT"),))] == 1


@pytest.mark.parametrize("policy", ["ignore", "honour"])
def test_server_keeps_the_route_on_the_envelope_either_way(policy):
    server = make_server(source_routes=policy)
    ask(server, "EHLO c.test", "MAIL FROM:<@relay.test:a@b.test>",
        "RCPT TO:<@hosta.test,@hostb.test:user@d.test>")
    assert server.envelope.mail_from.route == ("relay.test",)
    assert server.envelope.rcpt_to[0].route == ("hosta.test", "hostb.test")
    rcpt = next(u for u in server.take_transcript() if u.explain == "smtp.cmd.RCPT")
    assert rcpt.params["route_policy"] == policy and rcpt.params["hops"] == 2


def test_source_routes_policy_is_validated():
    from simulator.protocols.smtp import ServerConfig
    with pytest.raises(ValueError):
        ServerConfig("x.test", source_routes="follow")


# --- Reply -----------------------------------------------------------------------------

def test_reply_parse_with_enhanced_code():
    answer = Reply.parse("451 4.3.0 Try again later")
    assert (answer.code, answer.enhanced, answer.lines) == (451, "4.3.0", ("Try again later",))
    assert answer.is_transient and not answer.is_permanent and not answer.is_positive


def test_reply_multiline_round_trip():
    wire = b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n"
    answer = Reply.parse(wire.decode())
    assert answer.lines == ("foo.com greets bar.com", "8BITMIME", "HELP")
    assert answer.wire == wire


def test_enhanced_code_goes_on_every_line():
    answer = Reply(214, "2.0.0", ("first", "second"))
    assert answer.wire == b"214-2.0.0 first\r\n214 2.0.0 second\r\n"
    assert Reply.parse(answer.wire.decode()) == answer


def test_enhanced_code_of_the_wrong_class_is_text():
    assert Reply.parse("250 5.1.1 looks odd").enhanced is None


@pytest.mark.parametrize("bad", ["", "hello", "25 OK", "250-a\r\n251 b", "999 no"])
def test_reply_parse_rejects_non_replies(bad):
    with pytest.raises(ValueError):
        Reply.parse(bad)


# --- dot-stuffing (RFC 5321 §4.5.2) ---------------------------------------------------

def test_dot_stuff_doubles_leading_dots_and_ends_with_dot_line():
    assert dot_stuff(b".\r\n..\r\n.x\r\nplain\r\n") == b"..\r\n...\r\n..x\r\nplain\r\n.\r\n"


def test_dot_stuff_normalises_line_ends_and_adds_final_crlf():
    assert dot_stuff(b"a\nb") == b"a\r\nb\r\n.\r\n"


def test_reader_unstuffs_exactly_what_the_writer_stuffed():
    content = b".\r\n..\r\n.x\r\nmiddle\r\n...\r\n"
    reader = DataReader(10_000)
    assert reader.feed(dot_stuff(content) + b"NEXT")
    assert bytes(reader.content) == content and reader.take_rest() == b"NEXT"
