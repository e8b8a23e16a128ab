"""Moodle XML export: one category per item, holding N pre-generated variants.

Moodle's quiz draws a "random question" from a category, so a generated item
becomes a category (``$course$/<bank title>/<item id>``, a dummy
``<question type="category">`` as the Moodle XML format documents) followed
by N questions, one per variant (``v01``, ``v02`` …), each with its key
written as Moodle grades it:

* single, multiple, sim with ``ask: single`` → ``multichoice`` (multiple:
  each right option +100/R %, each wrong one −100/R %, as our partial credit);
* truefalse → ``truefalse``; numeric, sim/numeric → ``numerical`` with the
  tolerance; short, sim/short → ``shortanswer`` (``usecase``);
* matching → ``matching``; ordering → ``ordering`` (a standard question type
  since Moodle 4.4);
* cloze → ``cloze`` (embedded answers ``{1:SHORTANSWER:=550}`` in the
  transcript);
* task → ``essay``: Moodle cannot run the simulator, so the student submits
  the command list and ``graderinfo`` (shown to teachers only) holds the
  solution and the checks.

Texts carry both languages through Moodle's multi-language content filter
(``<span lang="ru" class="multilang">``).
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from simulator.locale import LANGUAGES

from .cloze import BLANK
from .model import Bank, Item
from .placeholders import shown
from .validate import students
from .variant import Variant, text_in

#: Our item type (or sim ``ask``) → the Moodle question type.
QTYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
          "numeric": "numerical", "short": "shortanswer", "matching": "matching",
          "ordering": "ordering", "cloze": "cloze", "task": "essay"}


def multilang(text: Mapping[str, str] | str) -> str:
    """A ``{ru, en}`` text as HTML for Moodle's multi-language filter (one text as it is)."""
    if not isinstance(text, Mapping):
        return html.escape(shown(text))
    if text["ru"] == text["en"]:
        return html.escape(text["ru"])
    return "".join(f'<span lang="{lang}" class="multilang">{html.escape(text[lang])}</span>'
                   for lang in LANGUAGES)


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = value
    return element


def _both(variant: Variant, get: Callable[[str], Any]) -> dict[str, str]:
    return {lang: get(lang) for lang in LANGUAGES}


def _fraction(value: float) -> str:
    """A Moodle grade fraction in percent, as Moodle writes it (5 decimals at most)."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _answer(question: ET.Element, fraction: float, text: str, feedback: str = "",
            fmt: str = "html") -> ET.Element:
    answer = ET.SubElement(question, "answer", {"fraction": _fraction(fraction),
                                                "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback)
    return answer


def _question(quiz: ET.Element, qtype: str, name: str, text_html: str, item: Item,
              general: str = "") -> ET.Element:
    question = ET.SubElement(quiz, "question", {"type": qtype})
    _text(question, "name", name, None)
    _text(question, "questiontext", text_html)
    _text(question, "generalfeedback", general)
    ET.SubElement(question, "defaultgrade").text = _fraction(item.points)
    ET.SubElement(question, "penalty").text = "0"
    ET.SubElement(question, "hidden").text = "0"
    return question


def _feedbacks(question: ET.Element, variant: Variant) -> None:
    feedback = variant.data.get("feedback", {})
    _text(question, "correctfeedback", multilang(feedback["correct"])
          if "correct" in feedback else "")
    _text(question, "partiallycorrectfeedback", "")
    _text(question, "incorrectfeedback", multilang(feedback["wrong"])
          if "wrong" in feedback else "")


def _choice_texts(variant: Variant) -> list[dict[str, str]]:
    return [_both(variant, lambda lang, p=p: variant.choices(lang)[p])
            for p in range(len(variant.order))]


def _multichoice(q: ET.Element, variant: Variant) -> None:
    key, kind = variant.key(), variant.item.type
    single = kind != "multiple"
    ET.SubElement(q, "single").text = "true" if single else "false"
    ET.SubElement(q, "shuffleanswers").text = "true"
    ET.SubElement(q, "answernumbering").text = "abc"
    _feedbacks(q, variant)
    right = {key} if single else set(key)
    options = variant.data.get("options", [])
    for place, text in enumerate(_choice_texts(variant)):
        option = options[variant.order[place]]
        fraction = (100.0 if place in right else 0.0) if single else \
            (100.0 / len(right) if place in right else -100.0 / len(right))
        _answer(q, fraction, multilang(text), multilang(option["feedback"])
                if "feedback" in option else "")


def _body(quiz: ET.Element, variant: Variant, name: str, lang: str) -> None:
    item, kind = variant.item, variant.item.type if variant.item.type != "sim" \
        else variant.item.ask
    text = multilang(_both(variant, variant.text))
    if kind == "cloze":
        text += "<pre>" + cloze_transcript(variant) + "</pre>"
    q = _question(quiz, QTYPES[kind], name, text, item)
    if kind in ("single", "multiple"):
        _multichoice(q, variant)
    elif kind == "truefalse":
        key = variant.key()
        _answer(q, 100.0 if key else 0.0, "true", fmt="moodle_auto_format")
        _answer(q, 0.0 if key else 100.0, "false", fmt="moodle_auto_format")
    elif kind == "numeric":
        answer = _answer(q, 100.0, shown(variant.key()), fmt="moodle_auto_format")
        ET.SubElement(answer, "tolerance").text = shown(variant.data.get("tolerance", 0))
    elif kind == "short":
        ET.SubElement(q, "usecase").text = "1" if variant.data.get("case") == "sensitive" \
            else "0"
        answers = variant.data.get("answers") or [variant.key()]
        for text in answers:
            _answer(q, 100.0, shown(text), fmt="moodle_auto_format")
    elif kind == "matching":
        ET.SubElement(q, "shuffleanswers").text = "true"
        _feedbacks(q, variant)
        for pair in variant.data["pairs"]:
            sub = _text(q, "subquestion", multilang(pair["left"]))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = \
                text_in(pair["right"], lang)
    elif kind == "ordering":
        ET.SubElement(q, "layouttype").text = "VERTICAL"
        ET.SubElement(q, "selecttype").text = "ALL"
        ET.SubElement(q, "selectcount").text = str(len(variant.data["sequence"]))
        ET.SubElement(q, "gradingtype").text = "ABSOLUTE_POSITION"     # as our partial score
        ET.SubElement(q, "showgrading").text = "SHOW"
        _feedbacks(q, variant)
        for place, entry in enumerate(variant.data["sequence"]):
            _answer(q, place + 1, multilang(entry))
    elif kind == "task":
        ET.SubElement(q, "responseformat").text = "plain"
        ET.SubElement(q, "responserequired").text = "1"
        ET.SubElement(q, "responsefieldlines").text = "10"
        solution = "\n".join(variant.key())
        checks = "\n".join(c["expr"] for c in variant.data["checks"])
        _text(q, "graderinfo", f"<pre>{html.escape(solution)}</pre>"
                               f"<pre>{html.escape(checks)}</pre>")


def cloze_transcript(variant: Variant) -> str:
    """The transcript with Moodle embedded answers in place of ``{n:___}`` (HTML-escaped)."""
    case = "SHORTANSWER_C" if variant.data.get("case") == "sensitive" else "SHORTANSWER"
    accepted = variant.blank_answers()

    def embedded(match) -> str:
        answers = "~".join("=" + _cloze_escape(shown(a)) for a in accepted[match.group(1)])
        return f"{{1:{case}:{answers}}}"

    return BLANK.sub(embedded, html.escape(variant.transcript(), quote=False))


def _cloze_escape(text: str) -> str:
    """Moodle's embedded-answer syntax reserves ``} # ~ / " \\``: a backslash escapes them."""
    for char in "\\}#~/\"":
        text = text.replace(char, "\\" + char)
    return text


def export(bank: Bank, variants: int = 5, secret: bytes | str = b"", lang: str = "ru",
           progress: Callable[[Item], None] | None = None) -> ET.ElementTree:
    """The bank as a Moodle XML tree: per item a category and ``variants`` questions.

    Texts carry both languages; ``lang`` is for the few plain-text fields that Moodle
    shows unfiltered (the right-hand side of a matching question)."""
    quiz = ET.Element("quiz")
    title = bank.title["en"]
    for item in bank:
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text(category, "category", f"$course$/top/{title}/{item.id}", None)
        _text(category, "info", multilang(item.data["text"]))
        for student in students(variants):
            _body(quiz, item.variant(student, secret), f"{item.id} {student}", lang)
        if progress is not None:
            progress(item)
    ET.indent(quiz)
    return ET.ElementTree(quiz)


def write(tree: ET.ElementTree, path: str) -> None:
    tree.write(path, encoding="UTF-8", xml_declaration=True)
