"""RFC citations are data: each cited section exists, and the player and console link it."""
import re

import pytest

from simulator import locale
from simulator.locale import citations
from simulator.trace import Step

TEXTS = [(lang, key, text) for lang in locale.LANGUAGES for key, text in locale.texts(lang).items()]


def test_every_cited_rfc_and_section_is_in_the_table():
    table = citations.table()
    missing = [(lang, key, c.rfc, c.section) for lang, key, text in TEXTS
               for c in citations.find(text)
               if c.rfc not in table or (c.section and c.section not in table[c.rfc]["sections"])]
    assert missing == []


def test_every_section_sign_belongs_to_a_citation():
    """One written form: "RFC 5321 §4.5.2", never "RFC 5321, §4.5.2" nor a bare "(§3.1)"."""
    loose = []
    for lang, key, text in TEXTS:
        covered = set()
        for c in citations.find(text):
            covered.update(range(c.start, c.end))
        loose += [(lang, key) for m in re.finditer("§", text) if m.start() not in covered]
    assert loose == []


def test_russian_and_english_cite_the_same_sections():
    ru, en = locale.texts("ru"), locale.texts("en")

    def cited(text):
        return {(c.rfc, c.section) for c in citations.find(text)}
    assert [k for k in ru if k in en and cited(ru[k]) != cited(en[k])] == []


def test_the_table_has_a_title_for_every_rfc_and_section():
    for rfc, entry in citations.table().items():
        assert entry["title"], rfc
        assert all(isinstance(title, str) for title in entry["sections"].values()), rfc


@pytest.mark.parametrize("text, urls", [
    ("the lock (RFC 1939 §4).", ["https://www.rfc-editor.org/rfc/rfc1939#section-4"]),
    ("RFC 3501 §4.3, §7.5", ["https://www.rfc-editor.org/rfc/rfc3501#section-4.3",
                             "https://www.rfc-editor.org/rfc/rfc3501#section-7.5"]),
    ("RFC 2180 §4.2.2 и §4.2.3", ["https://www.rfc-editor.org/rfc/rfc2180#section-4.2.2",
                                  "https://www.rfc-editor.org/rfc/rfc2180#section-4.2.3"]),
    ("RFC 5321 appendix C says", ["https://www.rfc-editor.org/rfc/rfc5321#appendix-C"]),
    ("PLAIN (RFC 4616)", ["https://www.rfc-editor.org/rfc/rfc4616"]),
])
def test_citations_become_rfc_editor_links(text, urls):
    assert [c.url for c in citations.find(text)] == urls


def test_a_link_shows_the_section_title_on_hover():
    html = citations.to_html("the lock <b> (RFC 1939 §4).")
    assert ('<a class="mailsim-rfc" href="https://www.rfc-editor.org/rfc/rfc1939#section-4" '
            'target="_blank" rel="noopener" title="RFC 1939 §4: The AUTHORIZATION State">'
            'RFC 1939 §4</a>') in html
    assert "&lt;b&gt;" in html                 # the rest of the text is still escaped


def step(key, **params):
    return Step(index=1, time=0.0, conn="c1", src="s", dst="c", protocol="POP3",
                direction="s2c", raw=b"+OK\r\n", line="+OK", explain=key, params=params)


@pytest.mark.parametrize("lang", locale.LANGUAGES)
def test_the_player_and_the_console_link_the_citations(lang):
    pytest.importorskip("ipywidgets")
    from simulator.widgets import html
    from simulator.widgets.console import step_rows
    for shown in (html.explanation(step("pop3.reply.in_use"), lang),
                  step_rows(step("pop3.reply.in_use"), lang)):
        assert 'href="https://www.rfc-editor.org/rfc/rfc2449#section-8.1.2"' in shown
        assert 'href="https://www.rfc-editor.org/rfc/rfc1939#section-4"' in shown
        assert 'title="RFC 2449 §8.1.2: The IN-USE response code"' in shown


def test_the_terminal_replay_links_the_citations():
    from rich.style import Style

    from simulator.replay import explanation
    text = explanation(step("pop3.reply.in_use"), "en")
    links = {Style.parse(span.style).link if isinstance(span.style, str) else span.style.link
             for span in text.spans}
    assert "https://www.rfc-editor.org/rfc/rfc1939#section-4" in links
