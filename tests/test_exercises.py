"""The shipped question banks (exercises/): enough items, enough of them run the simulator,
every text in Russian and English, every cited RFC section known (issue 12)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from simulator.locale import citations

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"
BANKS = sorted(EXERCISES.rglob("*.yaml"))
INTERACTIVE = ("sim", "task")
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text("utf-8"))["items"]


ALL = [(path, item) for path in BANKS for item in items(path)]


def texts(item: dict):
    """(where, {ru, en}) for every text a student reads in ``item``."""
    yield "text", item["text"]
    for kind, text in (item.get("feedback") or {}).items():
        yield f"feedback.{kind}", text
    for n, option in enumerate(item.get("options") or []):
        yield f"options[{n}].text", option["text"]
        if "feedback" in option:
            yield f"options[{n}].feedback", option["feedback"]
    for n, pair in enumerate(item.get("pairs") or []):
        yield f"pairs[{n}].left", pair["left"]
        yield f"pairs[{n}].right", pair["right"]
    for n, entry in enumerate(item.get("sequence") or []):
        yield f"sequence[{n}]", entry
    for n, check in enumerate(item.get("checks") or []):
        if "feedback" in check:
            yield f"checks[{n}].feedback", check["feedback"]


def test_the_banks_the_issue_asks_for_are_shipped():
    names = {path.relative_to(EXERCISES).as_posix() for path in BANKS}
    assert {"lab16/lab16.yaml", "smtp.yaml", "pop.yaml", "imap.yaml", "mime.yaml",
            "security.yaml"} <= names


def test_at_least_60_items_and_a_third_of_them_run_the_simulator():
    interactive = [item["id"] for _, item in ALL if item["type"] in INTERACTIVE]
    assert len(ALL) >= 60
    assert 3 * len(interactive) >= len(ALL), (len(interactive), len(ALL))


def test_most_interactive_items_give_students_different_variants():
    """(A live task is done with a real client on the student's own account: that is its
    variant.)"""
    interactive = [item for _, item in ALL if item["type"] in INTERACTIVE
                   and not item.get("live")]
    varied = [item for item in interactive if item.get("params")]
    assert 3 * len(varied) >= 2 * len(interactive), [i["id"] for i in interactive
                                                     if not i.get("params")]


def test_item_ids_are_unique_across_the_banks():
    ids = [item["id"] for _, item in ALL]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


@pytest.mark.parametrize("path, item", ALL, ids=[item["id"] for _, item in ALL])
def test_every_text_is_in_russian_and_english(path, item):
    for where, text in texts(item):
        assert isinstance(text, dict) and set(text) == {"ru", "en"}, where
        assert str(text["ru"]).strip() and str(text["en"]).strip(), where
    assert CYRILLIC.search(item["text"]["ru"]), "the Russian question is not in Russian"


def test_lab16_asks_each_control_question_conceptually_and_interactively():
    lab = items(EXERCISES / "lab16" / "lab16.yaml")
    by_question: dict[str, set[str]] = {}
    for item in lab:
        number = re.match(r"lab16-q(\d)-", item["id"]).group(1)
        kind = "interactive" if item["type"] in INTERACTIVE else "conceptual"
        by_question.setdefault(number, set()).add(kind)
    assert by_question == {str(n): {"conceptual", "interactive"} for n in range(1, 9)}


def test_feedback_teaches_with_an_rfc_section_or_a_scenario_step():
    """Every item's feedback names an RFC (the project's written form) or where to look."""
    silent = []
    for _, item in ALL:
        feedback = yaml.safe_dump([text for where, text in texts(item) if "feedback" in where],
                                  allow_unicode=True)
        if not citations.find(feedback) and "scenario" not in feedback:
            silent.append(item["id"])
    assert silent == []


def test_every_cited_rfc_section_is_in_the_table():
    table = citations.table()
    missing = sorted({(path.name, c.rfc, c.section) for path in BANKS
                      for c in citations.find(path.read_text("utf-8"))
                      if c.rfc not in table
                      or (c.section and c.section not in table[c.rfc]["sections"])})
    assert missing == []


def test_every_section_sign_belongs_to_a_citation():
    """One written form, as in the locale texts: "RFC 5321 §4.2.2", never a bare "§4.2"."""
    loose = []
    for path in BANKS:
        text = path.read_text("utf-8")
        covered = {i for c in citations.find(text) for i in range(c.start, c.end)}
        loose += [(path.name, text[m.start() - 20:m.start() + 8])
                  for m in re.finditer("§", text) if m.start() not in covered]
    assert loose == []


def test_the_readme_counts_the_items_of_each_bank():
    readme = (EXERCISES / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `([^`]+\.yaml)` \|[^|]+\| (\d+) \|$", readme, re.MULTILINE)
    counted = {name: len(items(EXERCISES / name)) for name, _ in rows}
    assert len(rows) == 2 * len(BANKS)                 # each bank in the ru and the en table
    assert [(name, int(n)) for name, n in rows] == [(name, counted[name]) for name, _ in rows]

