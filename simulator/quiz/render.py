"""A student's notebook or HTML page of a bank, for practice or for an exam.

* **practice**: the notebook shows the bank in ``simulator.widgets.Quiz``
  (checks at once, feedback); the HTML page lists the questions with each
  answer folded under a "show the answer" line.
* **exam**: the bundle holds what :meth:`Variant.public` gives — texts,
  choices, parameters — and the student's signing key, never a key, a
  feedback text or a hash of an answer.  The notebook's last cell and the
  page's "save" button write the signed response file that ``grade`` reads.
"""
from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from simulator.locale import t

from .model import Bank
from .placeholders import shown
from .responses import student_key
from .variant import Variant

MODES = ("practice", "exam")
STYLE = ("body{font-family:sans-serif;max-width:50em;margin:auto}"
         "section.q{border-top:1px solid #ccc;padding:.5em 0}pre{background:#f5f5f5}")


def variants(bank: Bank, student: str, secret: bytes | str) -> list[Variant]:
    return [item.variant(student, secret) for item in bank]


def _choices_md(public: dict[str, Any], lang: str) -> list[str]:
    lines = []
    if public["lefts"][lang]:
        lines.append(t("quiz.render.lefts", lang))
        lines += [f"- {i}. {text}" for i, text in enumerate(public["lefts"][lang])]
        lines.append("")
        lines.append(t("quiz.render.rights", lang))
    if public["choices"][lang]:
        lines += [f"- `{i}` {text}" for i, text in enumerate(public["choices"][lang])]
    if public["transcript"]:
        lines += ["```", public["transcript"], "```"]
    return lines


def _question_md(number: int, public: dict[str, Any], lang: str) -> str:
    head = t("quiz.render.question", lang, number=number, points=_points(public["points"]))
    return "\n".join([f"### {head}", "", public["text"][lang], "", *_choices_md(public, lang)])


def _points(points: float) -> int | float:
    return int(points) if float(points).is_integer() else points


def how_to_answer(public: dict[str, Any], lang: str) -> str:
    """The hint in an answer cell: what kind of Python value the item takes."""
    kind = public["type"] if public["type"] != "sim" else public["ask"]
    return t(f"quiz.render.answer.{kind}", lang)


def exam_notebook(bank: Bank, student: str, secret: bytes | str, lang: str):
    """The exam bundle as a notebook (nbformat v4) for ``student``."""
    cells = [new_markdown_cell(f"# {bank.title[lang]}\n\n"
                               + t("quiz.render.exam_intro", lang, student=student,
                                   count=len(bank)), id="intro"),
             new_code_cell("answers = {}", id="answers")]
    for number, variant in enumerate(variants(bank, student, secret), start=1):
        public = variant.public()
        cells.append(new_markdown_cell(_question_md(number, public, lang), id=f"q{number}"))
        cells.append(new_code_cell(f"# {how_to_answer(public, lang)}\n"
                                   f"answers[{public['id']!r}] = None", id=f"a{number}"))
    key = student_key(secret, student).hex()
    cells.append(new_markdown_cell(t("quiz.render.save_md", lang), id="save-md"))
    cells.append(new_code_cell("from simulator.quiz import save_responses\n"
                               f"save_responses({bank.id!r}, {student!r}, answers, {key!r})",
                               id="save"))
    return _notebook(cells, lang)


def practice_notebook(bank: Bank, bank_path: str, lang: str):
    """A practice notebook: the bank in the Quiz widget, checked as the student goes."""
    cells = [new_markdown_cell(f"# {bank.title[lang]}\n\n" + t("quiz.render.practice_intro",
                                                                lang), id="intro"),
             new_code_cell("from simulator.quiz import load_bank\n"
                           "from simulator.widgets import Quiz\n\n"
                           f"Quiz(load_bank({bank_path!r}), lang={lang!r})", id="quiz")]
    return _notebook(cells, lang)


def _notebook(cells: list, lang: str):
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}, "mailsim": {"lang": lang}})
    nbformat.validate(notebook)
    return notebook


def notebook_text(notebook) -> str:
    return nbformat.writes(notebook)


# -- HTML ------------------------------------------------------------------------------------

def _html_question(number: int, public: dict[str, Any], lang: str, answer: str | None) -> str:
    e = html.escape
    item, kind = public["id"], public["type"] if public["type"] != "sim" else public["ask"]
    parts = [f"<section class='q' data-item='{e(item)}' data-kind='{e(kind)}'>",
             f"<h3>{e(t('quiz.render.question', lang, number=number, points=_points(public['points'])))}</h3>",
             f"<p>{e(public['text'][lang])}</p>"]
    if public["transcript"]:
        parts.append(f"<pre>{e(public['transcript'])}</pre>")
    choices, lefts = public["choices"][lang], public["lefts"][lang]
    if lefts:
        parts.append("<table>")
        for i, left in enumerate(lefts):
            options = "".join(f"<option value='{j}'>{e(c)}</option>" for j, c in enumerate(choices))
            parts.append(f"<tr><td>{e(left)}</td><td><select data-left='{i}'>"
                         f"<option value=''>—</option>{options}</select></td></tr>")
        parts.append("</table>")
    elif kind in ("single", "multiple"):
        box = "radio" if kind == "single" else "checkbox"
        parts += [f"<label><input type='{box}' name='{e(item)}' value='{j}'> {e(c)}</label><br>"
                  for j, c in enumerate(choices)]
    elif kind == "ordering":
        parts += [f"<div>{j}. {e(c)}</div>" for j, c in enumerate(choices)]
        parts.append(f"<input type='text' placeholder='{e(t('quiz.render.order_hint', lang))}'>")
    elif kind == "truefalse":
        parts += [f"<label><input type='radio' name='{e(item)}' value='{v}'> "
                  f"{e(t(f'quiz.render.{v}', lang))}</label> " for v in ("true", "false")]
    elif kind == "cloze":
        parts += [f"<label>{e(n)}: <input type='text' data-blank='{e(n)}'></label> "
                  for n in public["blanks"]]
    elif kind == "task":
        parts.append(f"<textarea rows='6' cols='60' placeholder='"
                     f"{e(t('quiz.render.task_hint', lang, protocol=public['protocol']))}'>"
                     "</textarea>")
    else:
        parts.append("<input type='text'>")
    if answer is not None:
        parts.append(f"<details><summary>{e(t('quiz.render.show_answer', lang))}</summary>"
                     f"<p>{e(answer)}</p></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _page(title: str, body: list[str], lang: str, script: str = "") -> str:
    return "\n".join([
        "<!DOCTYPE html>", f"<html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>", f"<h1>{html.escape(title)}</h1>", *body, script, "</body></html>"])


def practice_html(bank: Bank, lang: str) -> str:
    """A practice page: every question with its answer folded under it (practice only)."""
    body = []
    for number, item in enumerate(bank, start=1):
        variant = item.variant()
        answer = _answer_text(variant, lang) + "\n" + variant.check(variant.key()).feedback(lang)
        body.append(_html_question(number, variant.public(), lang, answer))
    return _page(bank.title[lang], body, lang)


def _answer_text(variant: Variant, lang: str) -> str:
    key, choices = variant.key(), variant.choices(lang)
    if variant.item.type in ("single", "sim") and choices and isinstance(key, int):
        return choices[key]
    if variant.item.type == "multiple":
        return ", ".join(choices[k] for k in key)
    if variant.item.type == "ordering":
        return " → ".join(choices[k] for k in key)
    if variant.item.type == "matching":
        lefts = variant.lefts(lang)
        return "; ".join(f"{lefts[i]} → {choices[k]}" for i, k in enumerate(key))
    if variant.item.type == "task":
        return " | ".join(key)
    if isinstance(key, dict):
        return ", ".join(f"{n}: {v}" for n, v in key.items())
    if isinstance(key, bool):
        return t(f"quiz.render.{str(key).lower()}", lang)
    return shown(key)


def exam_html(bank: Bank, student: str, secret: bytes | str, lang: str) -> str:
    """The exam bundle as a page whose "save" button downloads the signed responses."""
    body = [f"<p>{html.escape(t('quiz.render.exam_intro_html', lang, student=student, count=len(bank)))}</p>"]
    for number, variant in enumerate(variants(bank, student, secret), start=1):
        body.append(_html_question(number, variant.public(), lang, None))
    body.append(f"<p><button id='save'>{html.escape(t('quiz.render.save', lang))}</button></p>")
    config = json.dumps({"bank": bank.id, "student": student,
                         "key": student_key(secret, student).hex()})
    script = resources.files(__package__).joinpath("exam.js").read_text("utf-8")
    return _page(bank.title[lang], body, lang,
                 f"<script>const MAILSIM_EXAM = {config};\n{script}</script>")
