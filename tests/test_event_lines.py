"""Events inside a node read in the student's language (the trace keeps its English line)."""
import re
from html import escape

import pytest

from simulator.locale import texts
from simulator.network import simulate
from simulator.replay import step_lines
from simulator.scenarios import builtin_names, load
from simulator.views import step_text
from simulator.widgets.html import step_row

LATIN_WORD = re.compile(r"\b(connect|close|queued|deliver|sent|handshake|check|downloaded|"
                        r"failed|relayed|deferred|bounce|compose|refused)\b")


def _events():
    for name in builtin_names():
        for step in simulate(load(name)).trace:
            if step.direction == "internal" and step.protocol != "DNS" and step.line:
                yield name, step


def test_every_event_of_every_builtin_has_a_line_in_both_languages():
    missing = sorted({step.explain for _, step in _events()
                      if f"event.{step.explain}" not in texts("ru")})
    assert missing == []


@pytest.mark.parametrize("name", ["backup-mx", "pop3-leave-copy", "imap-ambiguity", "bounce"])
def test_the_russian_transcript_shows_events_in_russian(name):
    for step in simulate(load(name)).trace:
        if step.direction != "internal" or step.protocol == "DNS" or not step.line:
            continue
        ru = step_text(step, "ru")
        assert not LATIN_WORD.search(ru), (step.explain, ru)
        assert "{" not in ru, ru                     # every placeholder was filled
        assert escape(ru) in step_row(step, "ru")
        assert ru in " ".join(step_lines(step, "ru").lines)


def test_the_trace_itself_is_unchanged_and_english_stays_english():
    step = next(s for _, s in _events() if s.explain == "net.tls")
    assert step.line == "TLS handshake"
    assert step_text(step, "ru") == "рукопожатие TLS"
    assert step_text(step, "en") == "TLS handshake"


def test_counts_in_event_lines_take_the_right_plural_form():
    kept = next(s for _, s in _events() if s.explain == "pop.session.kept")
    assert step_text(kept, "ru") == "2 новых письма загружено, копии оставлены на сервере"
    assert step_text(kept, "en") == "downloaded 2 new messages, kept on the server"


def test_protocol_lines_are_shown_as_sent():
    trace = simulate(load("basic")).trace
    command = next(s for s in trace if s.direction == "c2s")
    assert step_text(command, "ru") == command.line
