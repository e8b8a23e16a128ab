"""RFC citations in the texts, as data: found in one written form, checked, linked.

A text cites an RFC in exactly one of these forms (the citation test keeps it so)::

    RFC 1939                        the whole document
    RFC 1939 §4                     a section (or an appendix: RFC 5321 §C is written
    RFC 5321 appendix C             "appendix C" in English, "приложение C" in Russian)
    RFC 3501 §4.3, §7.5             more sections of the same RFC ("and" / "и" also joins)

:func:`find` returns each as a :class:`Citation`; ``rfc_sections.yaml`` (built by
``tools/rfc_sections.py`` from the RFC texts) gives the titles, and :func:`to_html`
turns a text into HTML where each citation links to its section on rfc-editor.org
with the section's title on hover.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

TABLE_PATH = Path(str(resources.files(__package__).joinpath("rfc_sections.yaml")))
BASE_URL = "https://www.rfc-editor.org/rfc/rfc{rfc}"

_SECTION = r"(?:\d+|[A-Z])(?:\.\d+)*"
_FIRST = re.compile(rf"RFC (\d{{3,4}})(?: §({_SECTION})| (?:appendix|приложение) ([A-Z]))?")
_MORE = re.compile(rf"(?:, | and | и )§({_SECTION})")


@dataclass(frozen=True)
class Citation:
    """One cited RFC (``section`` None) or section, and where it stands in the text."""

    rfc: int
    section: str | None
    start: int
    end: int

    @property
    def url(self) -> str:
        """The rfc-editor.org address of the section (its ``#section-`` / ``#appendix-`` anchor)."""
        url = BASE_URL.format(rfc=self.rfc)
        if self.section is None:
            return url
        kind = "appendix" if self.section[0].isalpha() else "section"
        return f"{url}#{kind}-{self.section}"

    @property
    def title(self) -> str | None:
        """The section's title (or the RFC's, for a whole-document citation), if known."""
        entry = table().get(self.rfc)
        if entry is None:
            return None
        if self.section is None:
            return entry["title"]
        section = entry.get("sections", {}).get(self.section)
        return None if section is None else f"RFC {self.rfc} §{self.section}: {section}"


def find(text: str) -> list[Citation]:
    """Every citation in ``text``, in order; ``RFC 3501 §4.3, §7.5`` gives two."""
    out = []
    for m in _FIRST.finditer(text):
        rfc = int(m.group(1))
        out.append(Citation(rfc, m.group(2) or m.group(3), m.start(), m.end()))
        if m.group(2):
            pos = m.end()
            while more := _MORE.match(text, pos):
                start = more.start(1) - 1            # the link starts at the § sign
                out.append(Citation(rfc, more.group(1), start, more.end()))
                pos = more.end()
    return out


@cache
def table() -> dict[int, dict[str, Any]]:
    """RFC number → ``{"title": …, "sections": {"4.5.2": title, "C": title}}``."""
    return yaml.safe_load(TABLE_PATH.read_text("utf-8")) or {}


def cited_rfcs() -> set[int]:
    """The numbers of every RFC the ru and en texts cite."""
    from simulator.locale import LANGUAGES, texts
    return {c.rfc for lang in LANGUAGES for text in texts(lang).values() for c in find(text)}


def to_html(text: str) -> str:
    """``text`` escaped for HTML, each citation a link to its section with its title on hover."""
    out, last = [], 0
    for c in find(text):
        out.append(escape(text[last:c.start]))
        title = f' title="{escape(c.title)}"' if c.title else ""
        out.append(f'<a class="mailsim-rfc" href="{c.url}" target="_blank" rel="noopener"'
                   f'{title}>{escape(text[c.start:c.end])}</a>')
        last = c.end
    out.append(escape(text[last:]))
    return "".join(out)
