"""The IMAP syntax layer: framing, lexer, parser, sequence sets, formatter."""
from __future__ import annotations

import pytest

from simulator.protocols.imap.formatter import astring, render
from simulator.protocols.imap.framing import (
    CommandReader,
    CommandText,
    ContinuationNeeded,
    LineTooLong,
    LiteralTooBig,
)
from simulator.protocols.imap.lexer import Lexer, ParseError
from simulator.protocols.imap.parser import BadTag, flag_list, parse_command, parse_tag
from simulator.protocols.imap.sequence import compress, parse_sequence_set
from simulator.protocols.imap.types import NIL, Atom, Literal, Quoted


def frames(data: bytes, bytewise: bool, **limits) -> list:
    reader = CommandReader(**limits)
    out = []
    chunks = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
    for chunk in chunks:
        reader.feed(chunk)
        while (frame := reader.next_frame()) is not None:
            out.append(frame)
    return out


def parse(line: bytes, literals=None):
    return parse_command(CommandText(line.split(b"\r\n"), literals or []))


# -- lexer ---------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    (b"abc", [Atom("abc")]),
    (b'"a b" NIL nil', [Quoted("a b"), NIL, NIL]),
    (b'"say \\"hi\\" \\\\ bye"', [Quoted('say "hi" \\ bye')]),
    (b'""', [Quoted("")]),
    (b"(a (b c) ())", [[Atom("a"), [Atom("b"), Atom("c")], []]]),
    (b"\\Seen \\* 1:*,3", [Atom("\\Seen"), Atom("\\*"), Atom("1:*,3")]),
    (b"BODY[HEADER.FIELDS (FROM TO)]<0.100> x",
     [Atom("BODY[HEADER.FIELDS (FROM TO)]<0.100>"), Atom("x")]),
    (b"(FLAGS BODY.PEEK[1.2.MIME])", [[Atom("FLAGS"), Atom("BODY.PEEK[1.2.MIME]")]]),
    # a "[" that no "]" closes is an ordinary atom character (RFC 3501 §9 atom-specials)
    (b"box[}x y", [Atom("box[}x"), Atom("y")]),
    (b"BODY[HEADER", [Atom("BODY[HEADER")]),
])
def test_lexer_values(line, expected):
    assert Lexer(line).values() == expected


@pytest.mark.parametrize("line, key", [
    (b"(a b", "syntax.unbalanced"),
    (b"a)", "syntax.missing_space"),
    (b")", "syntax.unbalanced"),
    (b'"open', "syntax.unterminated_quote"),
    (b'"bad \\n escape"', "syntax.bad_escape"),
    (b"a  b", "syntax.missing_value"),
    (b"a\x01b", "syntax.control_char"),
])
def test_lexer_errors(line, key):
    with pytest.raises(ParseError) as err:
        Lexer(line).values()
    assert err.value.key == key


def test_literal_is_taken_from_the_collected_octets():
    values = Lexer([b"a {5}", b" b"], [b"x\r\ny\"z"[:5]]).values()
    assert values == [Atom("a"), Literal(b"x\r\ny\""), Atom("b")]
    assert values[1].synchronising


def test_non_synchronising_literal_is_marked():
    value = Lexer([b"{3+}", b""], [b"abc"]).values()[0]
    assert value == b"abc" and not value.synchronising


# -- framing -------------------------------------------------------------------

@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request):
    return request.param


def test_plain_lines_frame_one_by_one(bytewise):
    out = frames(b"a1 NOOP\r\na2 CAPABILITY\nrest", bytewise)
    assert [f.parts for f in out] == [[b"a1 NOOP"], [b"a2 CAPABILITY"]]


def test_synchronising_literal_asks_for_continuation(bytewise):
    out = frames(b"a1 LOGIN {4}\r\nfred {6}\r\nsecret\r\n", bytewise)
    assert out[0] == ContinuationNeeded(b"a1", 4)
    assert out[1] == ContinuationNeeded(b"a1", 6)
    command = out[2]
    assert command.parts == [b"a1 LOGIN {4}", b" {6}", b""]
    assert command.literals == [b"fred", b"secret"]
    assert parse_command(command).args == (Literal(b"fred"), Literal(b"secret"))


def test_non_synchronising_literal_needs_no_continuation(bytewise):
    out = frames(b"a1 APPEND box {12+}\r\nhello\r\nworld\r\n", bytewise)
    assert len(out) == 1 and out[0].literals == [b"hello\r\nworld"]


def test_literal_may_contain_braces_and_line_ends(bytewise):
    out = frames(b"a1 X {7+}\r\n{3}\r\nab\r\n", bytewise)
    assert out[0].literals == [b"{3}\r\nab"]


def test_literal_longer_than_announced_leaves_junk_in_the_command(bytewise):
    out = frames(b"a1 LOGIN {4+}\r\nfredxx secret\r\n", bytewise)
    with pytest.raises(ParseError):
        parse_command(out[0])                  # "xx" glued to the literal: no space


def test_literal_over_the_limit(bytewise):
    out = frames(b"a1 APPEND box {999}\r\n", bytewise, max_literal=100)
    assert out == [LiteralTooBig(b"a1", 999, True, b"a1 APPEND box {999}")]
    out = frames(b"a1 APPEND box {999+}\r\n", bytewise, max_literal=100)
    assert isinstance(out[0], LiteralTooBig) and not out[0].synchronising


def test_hundred_kilobyte_line_is_reported_once():
    out = frames(b"a1 NOOP " + b"x" * 100_000 + b"\r\n", False)
    assert isinstance(out[0], LineTooLong) and out[0].length > 8192


def test_raw_reassembles_the_wire_bytes():
    data = b"a1 LOGIN {4}\r\nfred {6+}\r\nsecret\r\n"
    assert frames(data, False)[-1].raw == data


# -- parser --------------------------------------------------------------------

def test_command_name_is_upper_case_and_uid_is_folded():
    command = parse(b"A1 uid fetch 1:* (FLAGS)")
    assert (command.tag, command.name, command.base, command.uid) == ("A1", "UID FETCH", "FETCH", True)
    assert command.args == (Atom("1:*"), [Atom("FLAGS")])


@pytest.mark.parametrize("line", [b"a*1 NOOP", b"a+ NOOP", b"(a) NOOP", b'"a" NOOP',
                                  b"a\\1 NOOP", b"a%b NOOP", b"a{1 NOOP", b" NOOP", b"\x01 NOOP"])
def test_illegal_tags(line):
    with pytest.raises(BadTag):
        parse_tag(line)


def test_tag_may_hold_brackets_and_punctuation():
    assert parse_tag(b"a]1.b-c NOOP") == "a]1.b-c"


@pytest.mark.parametrize("line", [b"a1", b"a1 ", b"a1 123", b"a1 (NOOP)", b"a1 NOOP (a"])
def test_bad_command_lines(line):
    with pytest.raises(ParseError):
        parse(line)


def test_flags_are_canonical():
    assert flag_list([Atom("\\seen"), Atom("$Work")]) == ["\\Seen", "$Work"]
    with pytest.raises(ParseError):
        flag_list([Atom("\\Bogus")])
    with pytest.raises(ParseError):
        flag_list([Atom("\\Recent")])      # \Recent cannot be stored (RFC 3501 §2.3.2)


# -- sequence sets -------------------------------------------------------------

@pytest.mark.parametrize("text, largest, expected", [
    ("1:3", 5, [1, 2, 3]),
    ("3:1", 5, [1, 2, 3]),
    ("1,*", 3, [1, 3]),
    ("*:1", 3, [1, 2, 3]),
    ("5:*", 3, [3]),
    ("2,2,4:5", 9, [2, 4, 5]),
    ("1:*", 0, []),
])
def test_sequence_sets(text, largest, expected):
    assert parse_sequence_set(text).resolve(largest) == expected


def test_uid_set_selects_present_uids():
    assert parse_sequence_set("10:*").select([3, 12, 15], 15) == [12, 15]
    assert parse_sequence_set("20:*").select([3, 12, 15], 15) == [15]


@pytest.mark.parametrize("text", ["0", "1:", ":2", "1,,2", "a", "4294967296", "1-2", "$"])
def test_bad_sequence_sets(text):
    with pytest.raises(ParseError):
        parse_sequence_set(text)


def test_compress():
    assert compress([5, 1, 2, 3, 9]) == "1:3,5,9"


# -- formatter -----------------------------------------------------------------

def test_render_values():
    assert render([Atom("FLAGS"), [Atom("\\Seen")], 12, None, "a \"b\""]) == \
        b'(FLAGS (\\Seen) 12 NIL "a \\"b\\"")'
    assert render(b"line\r\nbreak") == b"{11}\r\nline\r\nbreak"
    assert render("Привет") == b"{12}\r\n" + "Привет".encode()


def test_astring_prefers_atoms():
    assert astring("INBOX") == b"INBOX"
    assert astring("My Folder") == b'"My Folder"'
    assert astring("") == b'""'
    assert astring("nil") == b'"nil"'
