"""Quiz: the practice mode of a question bank — one item at a time, checked at once.

``Quiz(bank_or_path, items=None, lang="ru")`` (``docs/quizzes.md``, "Two modes")
shows the chosen items of a bank with the controls their type needs
(:mod:`.quiz_inputs`): options, a number or a text, dropdowns for matching and
ordering, boxes in a transcript for a cloze, a ProtocolConsole for a task.
Check grades the response with the item's own checker (:meth:`Variant.check`)
and shows the feedback with its RFC citations linked; the score counts the
items answered right.  A ``sim`` item can show its scenario's run in a
TracePlayer, so the student can look for the answer in the trace.

Practice variants are the student ``practice`` with an empty secret, so every
notebook user sees the same variant, and the key never leaves the kernel.
Headless tests tick options (``quiz.answer.choose(0)``), type
(``quiz.answer.text.value``), click ``quiz.check`` and read ``quiz.feedback.value``.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from html import escape

import ipywidgets as widgets

from simulator.locale import citations, t
from simulator.quiz import Bank, Check, VariantError, load_bank

from .quiz_inputs import Answer, Commands, Typed, answer_for

_GOOD, _BAD = "#1b7a3d", "#b3261e"


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


class Quiz(widgets.VBox):
    """Items of a bank one by one, with Check, feedback at once, a score and ru/en."""

    def __init__(self, bank_or_path: Bank | str | os.PathLike, items: Iterable[str] | None = None,
                 lang: str = "ru") -> None:
        """``items``: the ids to ask, in this order (default: every item of the bank)."""
        self.bank = bank_or_path if isinstance(bank_or_path, Bank) else load_bank(bank_or_path)
        wanted = list(self.bank.ids if items is None else items)
        unknown = [i for i in wanted if i not in self.bank.ids]
        if unknown or not wanted:
            raise ValueError(t("ui.quiz.unknown_items", lang, bank=self.bank.id,
                               items=", ".join(unknown) or "—",
                               allowed=", ".join(self.bank.ids)))
        self.items = [self.bank[i] for i in wanted]
        self.variants = [item.variant() for item in self.items]
        self.lang = lang
        self.index = 0
        self.answers: dict[int, Answer] = {}
        self.results: dict[int, Check] = {}
        self._notes: dict[int, str] = {}          # a message instead of a grade (no answer)
        self._runs: dict[int, widgets.Widget] = {}
        self._build()
        super().__init__(children=self._layout(), layout=widgets.Layout(width="100%"))
        self.add_class("mailsim-quiz")
        self._wire()
        self.show(0)

    # -- construction ----------------------------------------------------------------
    def _build(self) -> None:
        self.title = widgets.HTML()
        self.position = widgets.HTML()
        self.position.add_class("mailsim-quiz-position")
        self.score = widgets.HTML()
        self.score.add_class("mailsim-quiz-score")
        self.language = widgets.ToggleButtons(options=[("RU", "ru"), ("EN", "en")],
                                              value=self.lang, style={"button_width": "44px"})
        self.question = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.question.add_class("mailsim-quiz-question")
        self.area = widgets.VBox(layout=widgets.Layout(width="100%", margin="4px 0"))
        self.run = widgets.ToggleButton(icon="play", layout=widgets.Layout(width="auto"))
        self.run.add_class("mailsim-quiz-run")
        self.run_view = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.check = widgets.Button(icon="check", button_style="primary",
                                    layout=widgets.Layout(width="auto"))
        self.check.add_class("mailsim-quiz-check")
        self.previous = widgets.Button(icon="arrow-left", layout=widgets.Layout(width="auto"))
        self.previous.add_class("mailsim-quiz-previous")
        self.next = widgets.Button(icon="arrow-right", layout=widgets.Layout(width="auto"))
        self.next.add_class("mailsim-quiz-next")
        self.feedback = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.feedback.add_class("mailsim-quiz-feedback")

    def _layout(self) -> list[widgets.Widget]:
        row = widgets.Layout(flex_flow="row wrap", align_items="center",
                             justify_content="space-between", width="100%")
        head = widgets.HBox([self.title, self.position, self.score, self.language], layout=row)
        buttons = widgets.HBox([self.check, self.previous, self.next, self.run],
                               layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        return [head, self.question, self.area, buttons, self.feedback, self.run_view]

    def _wire(self) -> None:
        self.check.on_click(lambda _: self.grade())
        self.previous.on_click(lambda _: self.show(self.index - 1))
        self.next.on_click(lambda _: self.show(self.index + 1))
        self.run.observe(lambda _: self._show_run(), "value")
        self.language.observe(lambda c: self.set_lang(c.new), "value")

    # -- the current item ------------------------------------------------------------
    @property
    def variant(self):
        """The variant on screen."""
        return self.variants[self.index]

    @property
    def answer(self) -> Answer | None:
        """The answer controls on screen (None if the item could not be prepared)."""
        return self.answers.get(self.index)

    def show(self, index: int) -> None:
        """Go to item ``index`` (from 0); what was entered in the others stays."""
        self.index = max(0, min(len(self.variants) - 1, index))
        if self.index not in self.answers:
            try:
                self.answers[self.index] = answer_for(self.variant, self.lang)
            except VariantError as exc:
                self._notes[self.index] = t("ui.quiz.broken", self.lang,
                                            reason=exc.message(self.lang))
        answer = self.answer
        self.area.children = [answer.widget] if answer is not None else []
        self.run.value = False
        self.run.layout.display = "" if self.variant.item.scenario is not None \
            and self.variant.item.type != "task" else "none"
        self.render()

    def grade(self) -> Check | None:
        """Check the response on screen; the Check, or None when there is nothing to grade."""
        answer, i = self.answer, self.index
        if answer is None:
            return None
        self._notes.pop(i, None)
        try:
            if isinstance(answer, Commands):
                result = self.variant.check_session(answer.console.session)
            elif answer.blank:
                self._notes[i] = t("ui.quiz.no_answer", self.lang)
                result = None
            elif isinstance(answer, Typed) and answer.numeric \
                    and isinstance(answer.response(), str):
                self._notes[i] = t("ui.quiz.not_number", self.lang)
                result = None
            else:
                result = self.variant.check(answer.response())
        except VariantError as exc:
            self._notes[i] = t("ui.quiz.broken", self.lang, reason=exc.message(self.lang))
            result = None
        if result is not None:
            self.results[i] = result
        self.render()
        return result

    # -- language --------------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        """Show the questions, options, feedback and labels in ``lang`` (``ru`` or ``en``)."""
        self.lang = lang
        self.language.value = lang
        for i, answer in self.answers.items():
            answer.relabel(self.variants[i], lang)
        for view in self._runs.values():
            view.set_lang(lang)
        self.render()

    # -- drawing ---------------------------------------------------------------------
    def render(self) -> None:
        """Labels, the question, the score and the feedback of the item on screen."""
        lang, total = self.lang, len(self.variants)
        self.title.value = f"<b>{escape(self.bank.title[lang])}</b>"
        self.position.value = escape(t("ui.quiz.position", lang, n=self.index + 1,
                                       total=total))
        right = sum(1 for c in self.results.values() if c.correct)
        points = sum(c.score * self.items[i].points for i, c in self.results.items())
        maximum = sum(item.points for item in self.items)
        self.score.value = escape(t("ui.quiz.score", lang, correct=right, total=total,
                                    points=_points(points), maximum=_points(maximum)))
        self.check.description = t("ui.quiz.check", lang)
        self.previous.description = t("ui.quiz.previous", lang)
        self.next.description = t("ui.quiz.next", lang)
        self.run.description = t("ui.quiz.hide_run" if self.run.value else "ui.quiz.run", lang)
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == total - 1
        self.check.disabled = self.answer is None
        self.question.value = self._question_html()
        self.feedback.value = self._feedback_html()

    def _question_html(self) -> str:
        text = "<br>".join(citations.to_html(line) for line in
                           self.variant.text(self.lang).split("\n"))
        hint = ""
        if self.variant.item.type == "task":
            hint = (f"<div style='color:#546e7a;font-size:12px'>"
                    f"{escape(t('ui.quiz.task_hint', self.lang))}</div>")
        return f"<div style='font-size:14px;line-height:1.45;margin:6px 0'>{text}</div>{hint}"

    def _feedback_html(self) -> str:
        if self.index in self._notes:
            return (f"<div style='color:#546e7a'><i>{escape(self._notes[self.index])}</i>"
                    f"</div>")
        result = self.results.get(self.index)
        if result is None:
            return ""
        # The verdict: a mark, a colour and a word; "right" goes without its word when the
        # item's own feedback follows (it mostly starts with "Right: …" already).
        generic = {t("quiz.check.correct", self.lang), t("quiz.check.wrong", self.lang)}
        lines = [line for line in result.feedback(self.lang).split("\n")
                 if line.strip() and line.strip() not in generic]
        colour = _GOOD if result.correct else _BAD
        if result.correct:
            head = "✔" if lines else f"✔ {t('ui.quiz.right', self.lang)}"
        elif result.score > 0:
            head = f"✘ {t('ui.quiz.partly', self.lang, percent=round(result.score * 100))}"
        else:
            head = f"✘ {t('ui.quiz.wrong', self.lang)}"
        notes = "".join(f"<div style='margin:2px 0'>{citations.to_html(line)}</div>"
                        for line in lines)
        return (f"<div class='mailsim-quiz-verdict' data-correct='{str(result.correct).lower()}'"
                f" style='border-left:4px solid {colour};padding:2px 8px;line-height:1.4'>"
                f"<b style='color:{colour}'>{escape(head)}</b>{notes}</div>")

    def _show_run(self) -> None:
        """The scenario's run in a TracePlayer, made the first time it is asked for."""
        if self.run.value and self.index not in self._runs:
            from .player import TracePlayer
            try:
                trace = self.variant.result.trace
            except VariantError as exc:
                self._notes[self.index] = t("ui.quiz.broken", self.lang,
                                            reason=exc.message(self.lang))
            else:
                self._runs[self.index] = TracePlayer(trace, lang=self.lang, picture="none")
        view = self._runs.get(self.index)
        self.run_view.children = [view] if self.run.value and view is not None else []
        self.render()
