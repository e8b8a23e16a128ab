"""Every complaint of the parser reads as a sentence, on the wire and in ru/en."""
import re
from pathlib import Path

from imap_kit import World, feed, lines

from simulator import locale
from simulator.protocols import imap
from simulator.protocols.imap.syntax_texts import SYNTAX_TEXTS, describe


def parser_keys() -> set[str]:
    folder = Path(imap.__file__).parent
    found = set()
    for source in folder.glob("*.py"):
        found |= set(re.findall(r'ParseError\("(syntax\.\w+)"', source.read_text("utf-8")))
    return found


def test_every_parser_key_has_a_wire_text_and_explanations():
    keys = parser_keys()
    assert keys and keys <= set(SYNTAX_TEXTS)
    for key in keys:
        assert locale.has(f"imap.{key}", "ru") and locale.has(f"imap.{key}", "en"), key


def test_bad_reply_names_the_problem_and_the_trace_explains_it():
    server = World(messages=1).session(select="INBOX")
    out = lines(feed(server, b"A1 SEARCH WHATEVER\r\n", False).decode())
    assert out == ["A1 BAD Syntax error: unknown search key 'WHATEVER'"]
    reply = [u for u in server.take_transcript() if u.direction == "s2c"][-1]
    text = locale.explain(reply.explain, reply.params, "ru")
    assert "RFC 3501 §6.4.4" in text and "syntax." not in text


def test_unknown_keys_fall_back_to_the_key():
    assert describe("syntax.nothing_like_it", {}) == "syntax.nothing_like_it"
