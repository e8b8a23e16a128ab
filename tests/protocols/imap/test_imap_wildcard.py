"""LIST patterns match as RFC 3501 §6.3.8 says, in time linear in the name (issue 16)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from imap_kit import World, lines, say

from simulator.protocols.imap.wildcard import ListPattern


def by_regex(pattern: str, name: str) -> bool:
    """The plain reading of the RFC: ``*`` is ``.*``, ``%`` is ``[^/]*`` (backtracks)."""
    regex = "".join(".*" if c == "*" else "[^/]*" if c == "%" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.DOTALL) is not None


@given(st.text("ab/*%", max_size=8), st.text("ab/", max_size=10))
def test_the_automaton_agrees_with_the_regular_expression(pattern, name):
    assert ListPattern(pattern).fullmatch(name) == by_regex(pattern, name)


def test_examples_from_the_rfc():
    assert ListPattern("%").fullmatch("INBOX") and not ListPattern("%").fullmatch("a/b")
    assert ListPattern("a/%").fullmatch("a/b") and not ListPattern("a/%").fullmatch("a/b/c")
    assert ListPattern("*").fullmatch("a/b/c") and ListPattern("").fullmatch("")
    assert ListPattern("a*c").fullmatch("abbbc") and not ListPattern("a*c").fullmatch("abbb")


def test_many_wildcards_are_answered_at_once():
    # With one regex group per wildcard this took 16 s for 10 stars, and grows exponentially.
    world = World()
    for name in ("Archive/2024/January/Reports", "abcdefghijklmnopqrstuvwxyz" * 4):
        world.account.create_folder(name)
    server = world.session(login=True)
    assert lines(say(server, 'A1 LIST "" "' + "*" * 2000 + 'Q"')) == ["A1 OK LIST completed"]
    assert lines(say(server, 'A2 LIST "" "' + "*a" * 500 + 'Q"')) == ["A2 OK LIST completed"]
    assert lines(say(server, 'A3 LIST "" "' + "%*" * 50 + 'Reports"')) == [
        '* LIST (\\HasNoChildren) "/" Archive/2024/January/Reports', "A3 OK LIST completed"]
