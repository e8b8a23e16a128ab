"""Moodle XML and GIFT: the structure Moodle documents, and GIFT's round trip through the
importer."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.quiz import gift as gift_format
from simulator.quiz import load_bank, load_bank_text, moodle
from simulator.quiz.gift import GiftError, escape

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"


@pytest.fixture(scope="module")
def bank():
    return load_bank(FIXTURE, "en")


@pytest.fixture(scope="module")
def moodle_xml(bank, tmp_path_factory):
    path = tmp_path_factory.mktemp("moodle") / "mini.xml"
    assert main(["quiz", "export", str(FIXTURE), "--moodle-xml", str(path), "--variants", "3",
                 "--lang", "en"]) == 0
    return path


def test_the_moodle_xml_has_one_category_per_item_holding_n_variants(bank, moodle_xml):
    root = ET.parse(moodle_xml).getroot()
    assert root.tag == "quiz"
    assert moodle_xml.read_text("utf-8").startswith("<?xml version='1.0' encoding='UTF-8'?>")
    groups: dict[str, list[ET.Element]] = {}
    current = None
    for question in root.findall("question"):
        if question.get("type") == "category":
            current = question.findtext("category/text")
            assert current not in groups
            groups[current] = []
        else:
            groups[current].append(question)
    assert list(groups) == [f"$course$/top/Mini bank/{item.id}" for item in bank]
    for item in bank:
        questions = groups[f"$course$/top/Mini bank/{item.id}"]
        assert [q.findtext("name/text") for q in questions] == \
            [f"{item.id} v01", f"{item.id} v02", f"{item.id} v03"]
        kind = item.type if item.type != "sim" else item.ask
        assert {q.get("type") for q in questions} == {moodle.QTYPES[kind]}
        for q in questions:      # what every Moodle question has (Moodle XML format docs)
            assert q.find("questiontext").get("format") == "html"
            assert q.findtext("questiontext/text")
            assert float(q.findtext("defaultgrade")) == item.points


def _questions(path: Path, item_id: str) -> list[ET.Element]:
    return [q for q in ET.parse(path).getroot().findall("question")
            if (q.findtext("name/text") or "").startswith(item_id + " ")]


def test_moodle_keys_are_each_variants_own(bank, moodle_xml):
    for q, student in zip(_questions(moodle_xml, "size-sum"), ("v01", "v02", "v03"), strict=True):
        variant = bank["size-sum"].variant(student)
        assert float(q.findtext("answer/text")) == variant.params["a"] + variant.params["b"]
        assert f"{variant.params['a']} + {variant.params['b']}" in q.findtext("questiontext/text")
    single = _questions(moodle_xml, "smtp-port")[0]
    assert single.findtext("single") == "true"
    right = [a.findtext("text") for a in single.findall("answer") if a.get("fraction") == "100"]
    assert right == ["25"]
    multiple = _questions(moodle_xml, "pop3-commands")[0]
    fractions = {a.findtext("text"): a.get("fraction") for a in multiple.findall("answer")}
    assert fractions == {"RETR": "50", "DELE": "50", "SELECT": "-50", "EHLO": "-50"}
    matching = _questions(moodle_xml, "ports-match")[0]
    assert [(s.findtext("text"), s.findtext("answer/text")) for s in
            matching.findall("subquestion")] == [("SMTP", "25"), ("POP3", "110"), ("IMAP", "143")]


def test_an_ordering_item_lists_the_sequence_in_order_as_qtype_ordering_reads_it(moodle_xml):
    ordering = _questions(moodle_xml, "smtp-order")[0]
    assert [(a.get("fraction"), a.findtext("text")) for a in ordering.findall("answer")] == \
        [("1", "EHLO"), ("2", "MAIL FROM"), ("3", "RCPT TO"), ("4", "DATA"), ("5", "QUIT")]
    assert (ordering.findtext("selecttype"), ordering.findtext("selectcount"),
            ordering.findtext("gradingtype")) == ("ALL", "5", "ABSOLUTE_POSITION")


def test_a_cloze_item_becomes_moodle_embedded_answers(moodle_xml):
    cloze = _questions(moodle_xml, "rcpt-cloze")[0]
    text = cloze.findtext("questiontext/text")
    assert "S: {1:SHORTANSWER:=550} 5.1.1 &lt;nobody@b.test&gt;" in text
    written = _questions(moodle_xml, "pop3-cloze")[0].findtext("questiontext/text")
    assert "C: {1:SHORTANSWER:=USER} bob@b.test" in written
    assert "S: {1:SHORTANSWER:=+OK} maildrop" in written


def test_texts_carry_both_languages_for_moodles_multilang_filter(moodle_xml):
    text = _questions(moodle_xml, "smtp-port")[0].findtext("questiontext/text")
    assert '<span lang="ru" class="multilang">На каком порту' in text
    assert '<span lang="en" class="multilang">On which port' in text


def test_a_task_is_an_essay_with_the_solution_for_teachers_only(moodle_xml):
    task = _questions(moodle_xml, "pop3-delete")[0]
    assert task.get("type") == "essay"
    assert "DELE 1" in task.findtext("graderinfo/text")
    assert "DELE 1" not in task.findtext("questiontext/text")


# -- GIFT --------------------------------------------------------------------------------------

def test_gift_escapes_what_moodle_reserves():
    assert escape("a~b=c#d{e}f:g\\h\nnext") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\nnext"


TRICKY = """\
bank: tricky
title: {ru: Трудные символы, en: Tricky characters}
items:
  - id: braces
    topic: smtp
    type: single
    text: {ru: "В ответе 250 {ok}: что значит = и ~?", en: "In 250 {ok}: what do = and ~ mean?"}
    options:
      - {text: "a = b", correct: true, feedback: {ru: "Верно: #1", en: "Right: #1"}}
      - {text: "c ~ d {x}"}
      - {text: "path\\\\to:file"}
  - id: several
    topic: pop
    type: multiple
    text: {ru: "Команды POP3", en: "POP3 commands"}
    options:
      - {text: RETR, correct: true}
      - {text: DELE, correct: true}
      - {text: MAIL, feedback: {ru: "Это SMTP", en: "That is SMTP"}}
      - {text: HELO}
    feedback:
      correct: {ru: "Верно: RFC 1939 §5", en: "Right: RFC 1939 §5"}
      wrong: {ru: "Смотрите RFC 1939 §5", en: "See RFC 1939 §5"}
  - id: tf
    topic: imap
    type: truefalse
    text: {ru: "IMAP хранит письма на сервере", en: "IMAP keeps mail on the server"}
    correct: false
    feedback:
      correct: {ru: "Да", en: "Yes"}
      wrong: {ru: "Нет: RFC 9051 §2.3", en: "No: RFC 9051 §2.3"}
  - id: port
    topic: services
    type: numeric
    text: {ru: "Порт POP3?", en: "The POP3 port?"}
    answer: 110
    tolerance: 0.5
    feedback:
      correct: {ru: "Да: 110 (RFC 1939 §3)", en: "Yes: 110 (RFC 1939 §3)"}
      wrong: {ru: "Порт = #110, RFC 1939 §3", en: "The port = #110, RFC 1939 §3"}
  - id: word
    topic: smtp
    type: short
    text: {ru: "Команда: тема", en: "Command: subject"}
    answers: ["DATA", "data:x"]
    feedback:
      correct: {ru: "Да: {DATA}", en: "Yes: {DATA}"}
      wrong: {ru: "RFC 5321 §4.1.1.4", en: "RFC 5321 §4.1.1.4"}
  - id: pairs
    topic: services
    type: matching
    text: {ru: "Пары", en: "Pairs"}
    pairs:
      - {left: "SMTP {mail}", right: "25"}
      - {left: "POP3", right: "110 = pop"}
    feedback:
      wrong: {ru: "Таблица портов: RFC 8314 §3", en: "The ports: RFC 8314 §3"}
  - id: param
    topic: mime
    type: numeric
    params: {a: {range: [1, 3]}}
    text: {ru: "${a}", en: "${a}"}
    answer: params["a"]
"""


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_fixed_items_survive_a_round_trip_through_gift(lang):
    bank = load_bank_text(TRICKY, "tricky.yaml", "en")
    text, skipped = gift_format.export(bank, lang)
    assert [item.id for item in skipped] == ["param"]
    back = load_bank_text(gift_format.import_gift(text, "tricky.gift", lang, bank_id="tricky"),
                          "back.yaml", "en")
    assert back.ids == [item.id for item in bank if item.id != "param"]
    for item in back:
        original = bank[item.id]
        assert item.type == original.type
        assert item.data["text"][lang] == original.data["text"][lang]
        assert item.data["text"]["ru"] == item.data["text"]["en"]    # one language to translate
        for key in ("correct", "answer", "tolerance", "answers"):
            assert item.data.get(key) == original.data.get(key), (item.id, key)
        notes = original.data.get("feedback", {})
        for mine, theirs in zip(item.data.get("options", ()), original.data.get("options", ()),
                                strict=True):
            assert mine["text"][lang] == str(theirs["text"])
            assert bool(mine.get("correct")) == bool(theirs.get("correct"))
            # An option's own feedback, else the item's right or wrong note: what Moodle shows.
            expected = theirs.get("feedback") or notes.get("correct" if theirs.get("correct")
                                                           else "wrong")
            assert (mine.get("feedback") or {}).get(lang) == (expected or {}).get(lang)
        if item.type in ("numeric", "short", "matching"):
            assert item.data.get("feedback", {}).get("wrong", {}).get(lang) == \
                notes.get("wrong", {}).get(lang), item.id
        if item.type in ("numeric", "short"):
            assert item.data["feedback"]["correct"][lang] == notes["correct"][lang], item.id
        for mine, theirs in zip(item.data.get("pairs", ()), original.data.get("pairs", ()),
                                strict=True):
            assert (mine["left"][lang], mine["right"][lang]) == \
                (str(theirs["left"]), str(theirs["right"]))
    assert back["tf"].data["feedback"]["wrong"][lang] == \
        bank["tf"].data["feedback"]["wrong"][lang]


MOODLE_STYLE = """\
// questions written the way Moodle's GIFT documentation shows them
$CATEGORY: $course$/top/Mail basics

::Q1:: Which port does SMTP relay use?{~110 =25#Right: RFC 5321 §4.5.4 ~143}

::Q2:: POP3 deletes messages at QUIT.{T}

::Q3:: Who reads your mail first?{=the MDA =mda}

::Q4:: The SMTP port{#25:0}

::Q5:: Match{
  =SMTP -> 25
  =POP3 -> 110
  =IMAP -> 143
}

Server replies carry a {=code ~colour} and a text.
"""


def test_import_gift_reads_moodles_own_examples(tmp_path, capsys):
    source = tmp_path / "basics.gift"
    source.write_text(MOODLE_STYLE, "utf-8")
    out = tmp_path / "basics.yaml"
    assert main(["quiz", "import-gift", str(source), "-o", str(out), "--topic", "smtp",
                 "--lang", "en"]) == 0
    assert "a bank of 6 questions" in capsys.readouterr().out
    bank = load_bank(out, "en")
    assert bank.id == "basics" and bank.title["en"] == "Mail basics"
    assert [item.type for item in bank] == ["single", "truefalse", "short", "numeric",
                                           "matching", "single"]
    assert bank["q1"].variant().check("25").correct
    assert bank["q1"].data["options"][1]["feedback"]["en"] == "Right: RFC 5321 §4.5.4"
    assert bank["q2"].data["correct"] is True
    assert bank["q4"].data["answer"] == 25
    missing = bank.items[-1]
    assert missing.data["text"]["en"] == "Server replies carry a _____ and a text."


@pytest.mark.parametrize("text, line, words", [
    ("::Q1:: no answers here\n", 1, "expected the answers"),
    ("\n\n::Q1:: broken {#many}\n", 3, "not a numerical answer"),
    ("::Q1 never closed {=a}\n", 1, "not closed"),
    ("// only a comment\n", 1, "no question"),
])
def test_a_broken_gift_file_names_the_line(text, line, words):
    with pytest.raises(GiftError) as info:
        gift_format.import_gift(text, "bad.gift", "en")
    assert info.value.line == line and words in str(info.value)
    assert str(info.value).startswith(f"bad.gift, line {line}: ")
