"""Loading banks: the fixture bank loads, and every mistake a teacher can make comes back
as one BankError naming the file, the line and the field, in ru and en — never a traceback."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from simulator.quiz import TYPES, BankError, load_bank, load_bank_text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"

GOOD = """\
bank: demo
title: {ru: Демо, en: Demo}
items:
  - id: port
    topic: smtp
    type: single
    text: {ru: Порт SMTP, en: The SMTP port}
    options:
      - {text: "25", correct: true}
      - {text: "110"}
  - id: sum
    topic: mime
    type: numeric
    params:
      a: {range: [1, 5]}
    text: {ru: "${a} + 1", en: "${a} + 1"}
    answer: params["a"] + 1
"""


def error_of(text: str, lang: str = "en") -> BankError:
    with pytest.raises(BankError) as info:
        load_bank_text(text, "demo.yaml", lang)
    return info.value


def test_the_fixture_bank_has_every_type_and_loads():
    bank = load_bank(FIXTURE, "en")
    assert bank.id == "mini" and len(bank) == len(bank.ids)
    assert {item.type for item in bank} == set(TYPES)
    assert bank["rcpt-unknown"].params["user"]["choice"][0] == "nobody"


def test_the_good_bank_loads():
    bank = load_bank_text(GOOD, "demo.yaml", "en")
    assert bank.ids == ["port", "sum"]


#: (what is changed in GOOD, the line reported, the field named, a word of the English message)
MISTAKES = [
    (("topic: smtp", "topic: smpt"), 5, "port.topic", "smtp"),
    (("    type: single\n", "    type: single\n    colour: red\n"), 7, "port.colour",
     "unknown key"),
    (("{text: \"25\", correct: true}", "{text: \"25\", correct: yes please}"), 9,
     "port.options[0].correct", "true or false"),
    (("{text: \"25\", correct: true}", "{text: \"25\"}"), 9, "port.options", "exactly one"),
    (("  - id: sum", "  - id: port"), 11, "items[1].id", "line 4"),
    (("  - id: sum", "  - id: Sum!"), 11, "items[1].id", "id of lower-case"),
    (("\"${a} + 1\", en", "\"${b} + 1\", en"), 16, "sum.text.ru", "${b}"),
    (("answer: params[\"a\"] + 1", "answer: __import__('os')"), 17, "sum.answer", "'_'"),
    (("answer: params[\"a\"] + 1", "answer: open('x')"), 17, "sum.answer", "unknown name open"),
    (("    answer: params[\"a\"] + 1\n", ""), 11, "sum.answer", "numeric"),
    (("a: {range: [1, 5]}", "a: {range: [5, 1]}"), 15, "sum.params.a.range", "low"),
    (("title: {ru: Демо, en: Demo}", "title: {ru: Демо}"), 2, "title.en", "missing"),
    (("    options:\n", "    pairs: []\n    options:\n"), 8, "port.pairs", "at least"),
    (("    type: single\n", "    type: single\n    correct: true\n"), 7, "port.correct",
     "no meaning for the type single"),
    (("text: {ru: Порт SMTP, en: The SMTP port}", "text: {ru: [unclosed, en: x}"), 7, None,
     "syntax"),
]


@pytest.mark.parametrize("change, line, field, words", MISTAKES,
                         ids=[m[3] for m in MISTAKES])
def test_a_mistake_names_the_file_line_and_field(change, line, field, words):
    old, new = change
    assert old in GOOD
    error = error_of(GOOD.replace(old, new, 1))
    assert error.file == "demo.yaml"
    assert error.line == line, str(error)
    if field is not None:
        assert error.field == field, str(error)
    assert words in str(error)
    assert str(error).startswith(f"demo.yaml, line {line}: ")


@pytest.mark.parametrize("answer, words", [
    ('params["a"] + 1if params["a"] else 0', "invalid decimal literal"),
    ('str(params["a"]) == "5\\.1"', "invalid escape sequence"),
])
def test_an_expression_python_only_warns_about_is_a_bank_error_without_warnings(answer, words):
    # Python parses both with a warning (and will refuse them one day): the teacher gets
    # the bank error with its file and line, and no warning text on the terminal.
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        error = error_of(GOOD.replace('answer: params["a"] + 1', f"answer: {answer}"))
    assert shown == []
    assert str(error).startswith("demo.yaml, line 17: ")
    assert error.field == "sum.answer" and "not a Python expression" in str(error)
    assert words in str(error)


def test_the_same_mistake_is_said_in_russian():
    error = error_of(GOOD.replace("topic: smtp", "topic: smpt"), "ru")
    assert str(error).startswith("demo.yaml, строка 5") or "строк" in str(error)
    assert "должен быть одним из" in str(error) or "одн" in str(error)


def test_an_unknown_key_gets_a_did_you_mean():
    error = error_of(GOOD.replace("    type: single\n", "    type: single\n    optoins: []\n"))
    assert "did you mean 'options'" in str(error)
    ru = error_of(GOOD.replace("    type: single\n", "    type: single\n    optoins: []\n"), "ru")
    assert "options" in str(ru) and ru.line == error.line


def test_an_unknown_builtin_scenario_gets_a_did_you_mean():
    text = GOOD + """\
  - id: live
    topic: smtp
    type: sim
    text: {ru: Код, en: Code}
    scenario: bounse
    answer: trace.find(command="RCPT").code
    ask: numeric
"""
    error = error_of(text)
    assert error.line == 22 and error.field == "live.scenario"
    assert "did you mean 'bounce'" in str(error)


def test_an_inline_scenario_is_checked_with_the_banks_lines():
    text = GOOD + """\
  - id: inline
    topic: smtp
    type: sim
    params:
      user: {choice: [nobody]}
    text: {ru: Код, en: Code}
    scenario:
      name: inline
      hosts:
        - {name: mx.b.test, roles: [mta, flying]}
      messages:
        - {at: 0, client: mx.b.test, from: a@b.test, to: ["${user}@b.test"]}
    answer: trace.find(command="RCPT").code
    ask: numeric
"""
    error = error_of(text)
    assert error.file == "demo.yaml" and error.line == 27
    assert "flying" in str(error)


@pytest.mark.parametrize("key, words", [
    ("${user:hosts", "malformed placeholder in ${user:hosts"),
    ("${host}name", "${host}"),
    ("${user:node|nodes}", "word forms"),
])
def test_a_placeholder_in_a_scenario_key_is_checked_like_one_in_a_value(key, words):
    """A scenario's run fills mapping keys too: a broken or unknown ${…} in a key is the
    teacher's mistake at its line, not a ValueError or KeyError from string.Template."""
    text = GOOD + f"""\
  - id: keyed
    topic: smtp
    type: sim
    params:
      user: {{choice: [nobody]}}
    text: {{ru: Код, en: Code}}
    scenario:
      name: keyed
      {key}:
        - {{name: mx.b.test, roles: [mta]}}
      messages:
        - {{at: 0, client: mx.b.test, from: a@b.test, to: ["${{user}}@b.test"]}}
    answer: trace.find(command="RCPT").code
    ask: numeric
"""
    error = error_of(text)
    assert error.file == "demo.yaml" and error.line == 26     # the key's own line
    assert words in str(error)


@pytest.mark.parametrize("text", ["", "just a string", "- a\n- list", "bank: [", "\x00"])
def test_nonsense_is_a_bank_error_not_a_traceback(text):
    error = error_of(text)
    assert error.file == "demo.yaml"


def test_a_missing_file_and_a_directory_are_bank_errors(tmp_path):
    with pytest.raises(BankError, match="no such file"):
        load_bank(tmp_path / "nope.yaml", "en")
    with pytest.raises(BankError, match="directory"):
        load_bank(tmp_path, "en")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"bank: demo\ntitle: \xe9\n")
    with pytest.raises(BankError) as info:
        load_bank(bad, "en")
    assert info.value.line == 2
