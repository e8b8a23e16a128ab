"""GIFT, Moodle's text format for questions: export of fixed items, and import.

The rules are those of Moodle's GIFT format documentation and its reference
importer (``question/format/gift``):

* questions are separated by blank lines; ``//`` starts a comment line;
  ``::name::`` names a question; ``$CATEGORY: path`` switches the category;
* the answers are in ``{…}``: ``=right ~wrong`` (multiple choice), ``~%50%a
  ~%-50%b`` (weights), ``=a =b`` (short answer), ``#42:0.5`` or ``#40..44``
  (numerical), ``=left -> right`` (matching), ``T``/``TRUE``/``F``/``FALSE``;
  ``#`` after an answer starts its feedback, ``####`` the general feedback;
* the characters ``~ = # { } :`` are written ``\\~ \\= \\# \\{ \\} \\:``, a
  backslash ``\\\\`` and a newline ``\\n``.

An item's own feedback goes where GIFT can hold it: ``correct`` after each right
answer (``=answer#…``), ``wrong`` after each wrong option that has no feedback of
its own; numeric, short and matching questions list no wrong answers, so their
``wrong`` text becomes the general feedback (``####…``), which Moodle shows after
the attempt.  The importer reads both back.

GIFT has one language and no parameters, so only *fixed* items are exported —
single, multiple, truefalse, numeric and short with literal answers,
matching — in one language; an imported question gets the same text in ru and
en for the teacher to translate.  No well-kept Python GIFT library exists
(pygiftparser was last released in 2017), hence this small module.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.locale import LANGUAGES, default_lang, t

from .model import Bank, Item
from .placeholders import shown
from .variant import text_in

#: Characters GIFT reserves, each written with a backslash before it.
RESERVED = "~=#{}:"
#: Types a GIFT file can hold.
EXPORTED = ("single", "multiple", "truefalse", "numeric", "short", "matching")


class GiftError(ValueError):
    """A GIFT file that cannot be imported: ``"<file>, line N: <what>"`` in ru or en."""

    def __init__(self, source: str, line: int, code: str, lang: str, **params: Any) -> None:
        self.source, self.line, self.code = source, line, code
        where = t("scenario.at_line", lang, source=source, line=line)
        super().__init__(f"{where}: {t(f'quiz.gift.{code}', lang, **params)}")


# -- export ---------------------------------------------------------------------------------

def escape(text: str) -> str:
    """``text`` with GIFT's reserved characters, backslashes and newlines escaped."""
    text = text.replace("\\", "\\\\")
    for char in RESERVED:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def exportable(item: Item) -> bool:
    """Whether GIFT can hold the item: a fixed item (no parameters, scenario or expression)."""
    if item.type not in EXPORTED or item.params or item.scenario is not None:
        return False
    if item.type == "numeric":
        return not isinstance(item.data["answer"], str)
    return item.type != "short" or "answers" in item.data


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _feedback(text: Mapping[str, str] | None, lang: str) -> str:
    return "#" + escape(text_in(text, lang)) if text else ""


def _answers(item: Item, lang: str) -> list[str]:
    data = item.data
    right_note, wrong_note = (_feedback(data.get("feedback", {}).get(k), lang)
                              for k in ("correct", "wrong"))
    if item.type in ("single", "multiple"):
        right = [o for o in data["options"] if o.get("correct")]
        lines = []
        for option in data["options"]:
            note = _feedback(option.get("feedback"), lang) or \
                (right_note if option.get("correct") else wrong_note)
            text = escape(text_in(option["text"], lang)) + note
            if item.type == "single":
                lines.append(("=" if option.get("correct") else "~") + text)
            else:
                share = 100 / len(right) * (1 if option.get("correct") else -1)
                lines.append(f"~%{_weight(share)}%{text}")
        return lines
    if item.type == "truefalse":
        feedback = data.get("feedback", {})
        wrong, right = feedback.get("wrong"), feedback.get("correct")
        tail = ("#" + escape(text_in(wrong, lang)) if wrong else ("#" if right else "")) + \
            ("#" + escape(text_in(right, lang)) if right else "")
        return ["TRUE" + tail if data["correct"] else "FALSE" + tail]
    if item.type == "numeric":
        value = f"{shown(data['answer'])}:{shown(data.get('tolerance', 0))}"
        return [f"#={value}{right_note}" if right_note else f"#{value}"]
    if item.type == "short":
        return ["=" + escape(shown(a)) + right_note for a in data["answers"]]
    return ["=" + escape(text_in(p["left"], lang)) + " -> " + escape(text_in(p["right"], lang))
            for p in data["pairs"]]


def _general_feedback(item: Item, lang: str) -> str:
    """``####…`` for the types whose wrong answers GIFT cannot list, or ""."""
    wrong = item.data.get("feedback", {}).get("wrong")
    if item.type in ("numeric", "short", "matching") and wrong:
        return "####" + escape(text_in(wrong, lang))
    return ""


def export(bank: Bank, lang: str | None = None) -> tuple[str, list[Item]]:
    """The bank's fixed items as GIFT in ``lang``, and the items GIFT cannot hold."""
    lang = lang or default_lang()
    out = [f"// mailsim bank {bank.id}", f"$CATEGORY: $course$/top/{bank.title[lang]}", ""]
    skipped = []
    for item in bank:
        if not exportable(item):
            skipped.append(item)
            continue
        answers = _answers(item, lang) + [a for a in [_general_feedback(item, lang)] if a]
        text = f"::{escape(item.id)}::{escape(text_in(item.data['text'], lang))}"
        if len(answers) == 1:
            out.append(f"{text}{{{answers[0]}}}")
        else:
            out += [f"{text}{{", *(f"\t{a}" for a in answers), "}"]
        out.append("")
    return "\n".join(out), skipped


# -- import ---------------------------------------------------------------------------------

@dataclass
class _Question:
    line: int
    text: str                    # still escaped


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out).strip()


def _split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """``text`` cut before each unescaped separator: (separator or "", piece)."""
    pieces, current, sep, i = [], [], "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if char in separators:
            pieces.append((sep, "".join(current)))
            current, sep = [], char
        else:
            current.append(char)
        i += 1
    pieces.append((sep, "".join(current)))
    return [(s, p) for s, p in pieces if s or p.strip()]


def _find(text: str, char: str, start: int = 0) -> int:
    """The index of the first unescaped ``char`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _questions(text: str) -> Iterator[_Question]:
    block, first = [], 0
    for number, line in enumerate(text.splitlines() + [""], start=1):
        if line.strip().startswith("//"):
            continue
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield _Question(first, "\n".join(block).strip())
            block = []


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "q"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _both(text: str) -> dict[str, str]:
    return {lang: text for lang in LANGUAGES}


def _with_feedback(piece: str) -> tuple[str, dict[str, str] | None]:
    parts = _split_unescaped(piece, "#")
    text = _unescape(parts[0][1]) if parts and not parts[0][0] else ""
    feedback = _unescape(parts[1][1]) if len(parts) > 1 else ""
    return text, (_both(feedback) if feedback else None)


_WEIGHT = re.compile(r"^%(-?[0-9]+(?:\.[0-9]+)?)%")


def _item(q: _Question, source: str, lang: str, topic: str, taken: set[str]) -> dict:
    text = q.text
    name = None
    if text.startswith("::"):
        end = _find(text, ":", 2)
        if end < 0 or text[end:end + 2] != "::":
            raise GiftError(source, q.line, "name", lang)
        name, text = _unescape(text[2:end]), text[end + 2:].strip()
    if text.startswith("["):                       # [html], [markdown] …: the text's format
        text = text[text.index("]") + 1:] if "]" in text else text
    start = _find(text, "{")
    end = _find(text, "}", start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        raise GiftError(source, q.line, "braces", lang)
    after = text[end + 1:].strip()
    # Answers inside the text make a missing-word question: Moodle writes a blank there.
    question = _unescape(text[:start] + ("_____" + text[end + 1:] if after else ""))
    answers = text[start + 1:end].strip()
    general = ""
    if "####" in answers:                        # the general feedback: shown after the attempt
        general = _unescape(answers[answers.rindex("####") + 4:])
        answers = answers[:answers.rindex("####")].strip()
    item: dict[str, Any] = {"id": _slug(name or question, taken), "topic": topic,
                            "text": _both(question)}
    taken.add(item["id"])
    if not answers:
        raise GiftError(source, q.line, "essay", lang)
    if answers.startswith("#"):
        numeric, right = _numerical(answers[1:], q, source, lang)
        return {**item, "type": "numeric", **_with_notes(numeric, general, right)}
    pieces = _split_unescaped(answers, "~=")
    if any(sep == "~" for sep, _ in pieces):
        return {**item, **_multichoice(pieces)}
    if any(sep == "=" and "->" in piece for sep, piece in pieces):
        pairs = []
        for _, piece in pieces:
            left, _, right = piece.partition("->")
            pairs.append({"left": _both(_unescape(left)), "right": _both(_unescape(right))})
        return {**item, "type": "matching", **_with_notes({"pairs": pairs}, general)}
    first, *feedback = [p for _, p in _split_unescaped(answers, "#")]
    if _unescape(first) in ("T", "TRUE", "F", "FALSE"):
        item.update(type="truefalse", correct=_unescape(first).startswith("T"))
        wrong, right = (feedback + ["", ""])[:2]
        notes = {k: _both(_unescape(v)) for k, v in (("correct", right), ("wrong", wrong))
                 if _unescape(v)}
        return {**item, **({"feedback": notes} if notes else {})}
    texts, right = [], None
    for _, piece in pieces:
        weight = _WEIGHT.match(piece.strip())
        if weight and float(weight.group(1)) < 100:
            continue                                 # partial credit: not in our short type
        answer, note = _with_feedback(_WEIGHT.sub("", piece.strip()))
        texts.append(answer)
        right = right or note
    return {**item, "type": "short", **_with_notes({"answers": texts}, general, right)}


def _with_notes(fields: dict, wrong: str, right: dict[str, str] | None = None) -> dict:
    """``fields`` with the item's feedback: the general feedback as ``wrong``, a right
    answer's feedback as ``correct`` (the inverse of :func:`_general_feedback`)."""
    notes = {**({"correct": right} if right else {}), **({"wrong": _both(wrong)} if wrong else {})}
    return {**fields, **({"feedback": notes} if notes else {})}


def _multichoice(pieces: list[tuple[str, str]]) -> dict:
    single = any(sep == "=" for sep, _ in pieces)
    options = []
    for sep, piece in pieces:
        piece = piece.strip()
        weight = _WEIGHT.match(piece)
        right = sep == "=" or bool(weight and float(weight.group(1)) > 0)
        text, feedback = _with_feedback(_WEIGHT.sub("", piece))
        option: dict[str, Any] = {"text": _both(text)}
        if right:
            option["correct"] = True
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    return {"type": "single" if single else "multiple", "options": options}


def _numerical(answers: str, q: _Question, source: str,
               lang: str) -> tuple[dict, dict[str, str] | None]:
    """The first full-credit answer (``42:0.5`` or ``40..44``) and its ``#`` feedback."""
    for _, piece in _split_unescaped(answers, "="):
        piece = _WEIGHT.sub("", piece.strip())
        value, note = _with_feedback(piece) if piece else ("", None)
        try:
            if ".." in value:
                low, high = (float(v) for v in value.split(".."))
                return {"answer": _num((low + high) / 2),
                        "tolerance": _num((high - low) / 2)}, note
            number, _, tolerance = value.partition(":")
            return {"answer": _num(float(number)), "tolerance": _num(float(tolerance or 0))}, note
        except ValueError:
            raise GiftError(source, q.line, "number", lang, got=value) from None
    raise GiftError(source, q.line, "number", lang, got=answers)


def _num(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def import_gift(text: str, source: str = "<gift>", lang: str | None = None, *,
                bank_id: str = "imported", topic: str = "services") -> str:
    """A GIFT file as the YAML of a bank (every text in both languages, to translate)."""
    lang = lang or default_lang()
    title, items, taken = bank_id, [], set()
    for question in _questions(text):
        if question.text.startswith("$CATEGORY:"):
            title = question.text.split(":", 1)[1].strip().rsplit("/", 1)[-1] or title
            continue
        item = _item(question, source, lang, topic, taken)
        first = {k: item.pop(k) for k in ("id", "topic", "type", "text")}
        items.append({**first, **item})         # the order a teacher writes an item in
    if not items:
        raise GiftError(source, 1, "empty", lang)
    bank = {"bank": bank_id, "title": _both(title), "items": items}
    return yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=100)
