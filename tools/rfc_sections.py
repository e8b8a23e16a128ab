"""Build simulator/locale/rfc_sections.yaml from the plain-text RFCs.

Usage: python tools/rfc_sections.py RFC_DIR > simulator/locale/rfc_sections.yaml

RFC_DIR holds rfcNNNN.txt files as published at https://www.rfc-editor.org/rfc/rfcNNNN.txt.
For every RFC the ru/en texts or the question banks (``exercises/``) cite, the script reads the title and every numbered
heading (``4.5.3.1.  Size Limits and Minimums``, ``Appendix C.  Source Routes``) of
the body.  A heading is kept only if its number follows the previous one (next
sibling, first child or next sibling of an ancestor), so numbered list items and
table-of-contents lines are not taken for headings.  RFCs whose text is not in
RFC_DIR keep the entries of the existing table, marked ``checked: false``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.locale import citations

HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*?)\s*$")
APPENDIX = re.compile(r"^(?:Appendix|APPENDIX)\s+([A-Z])\.?(?:\s+(\S.*?))?\s*$")
SUB_APPENDIX = re.compile(r"^([A-Z](?:\.\d+)+)\.?\s+(\S.*?)\s*$")
LEADER = re.compile(r"\.\s?\.\s?\.|\s\d+$")      # a table-of-contents line: dots, page number


def follows(previous: tuple[int, ...], number: tuple[int, ...]) -> bool:
    """Whether heading ``number`` can come right after ``previous`` in a body."""
    if number == previous + (1,):
        return True
    return any(number == previous[:k] + (previous[k] + 1,) for k in range(len(previous)))


def title_of(lines: list[str]) -> str:
    """The title: the first centred line after the header block."""
    i = next(i for i, line in enumerate(lines) if line.strip())
    while i < len(lines) and lines[i].strip():       # the header block (authors, dates)
        i += 1
    title = []
    for line in lines[i:]:
        if title and not line.strip():
            break
        if line.strip():
            title.append(line.strip())
    return " ".join(title)


def sections(lines: list[str]) -> dict[str, str]:
    """Section number → title, from the headings of the body.

    Headings start in column 0; old RFCs (RFC 821) indent their subsections by
    three spaces and write them in capitals, which tells them from list items.
    An appendix whose title is on the next line gets that line.
    """
    out: dict[str, str] = {}
    previous: tuple[int, ...] = ()
    appendix = None
    for i, line in enumerate(lines):
        if LEADER.search(line):
            continue
        if line.startswith("   ") and line[3:4].strip():
            m = HEADING.match(line[3:])
            if not (m and m.group(2).isupper()):
                continue
            line = line[3:]
        elif not line[:1].strip():
            continue
        if m := APPENDIX.match(line):
            appendix = m.group(1)
            following = next((n.strip() for n in lines[i + 1:] if n.strip()), "")
            out[appendix] = (m.group(2) or following).rstrip(".")
            continue
        if appendix and (m := SUB_APPENDIX.match(line)) and m.group(1)[0] == appendix:
            out.setdefault(m.group(1), m.group(2).rstrip("."))
            continue
        if appendix is None and (m := HEADING.match(line)):
            number = tuple(int(p) for p in m.group(1).split("."))
            if follows(previous, number):
                out[m.group(1)] = m.group(2).rstrip(".")
                previous = number
    return out


def bank_citations() -> set[int]:
    """The numbers of every RFC the question banks under exercises/ cite (their feedback)."""
    return {c.rfc for path in (ROOT / "exercises").rglob("*.yaml")
            for c in citations.find(path.read_text("utf-8"))}


def main(rfc_dir: str) -> None:
    cited = citations.cited_rfcs() | bank_citations()
    old = citations.table() if citations.TABLE_PATH.exists() else {}
    table = {}
    for rfc in sorted(cited):
        path = Path(rfc_dir) / f"rfc{rfc}.txt"
        if path.exists():
            lines = path.read_text("utf-8-sig", errors="replace").splitlines()
            table[rfc] = {"title": title_of(lines), "sections": sections(lines)}
        elif rfc in old:
            table[rfc] = {**old[rfc], "checked": False}
        else:
            raise SystemExit(f"rfc{rfc}.txt is missing from {rfc_dir} and from the old table")
    print(HEADER + yaml.safe_dump(table, allow_unicode=True, sort_keys=False, width=100), end="")


HEADER = """\
# Section numbers and titles of every RFC the ru/en texts (simulator/locale/*/*.yaml) and the
# question banks (exercises/) cite.
# Built by `python tools/rfc_sections.py RFC_DIR`, RFC_DIR holding the rfc-editor.org plain
# texts (rfcNNNN.txt).  The 2026-12 build read 32 of them; entries marked "checked: false"
# had no text at hand and hold the RFC's title and only the sections the texts cite.
# tests/test_citations.py requires every cited section to be here; the player and the
# console show the titles on hover over each link.
"""

if __name__ == "__main__":
    main(sys.argv[1])
