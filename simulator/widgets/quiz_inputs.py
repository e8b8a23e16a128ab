"""The answer controls of one quiz item, one class per way of answering.

Each :class:`Answer` holds the ipywidgets a student uses for one variant
(``widget``), turns them into the response ``Variant.check`` takes
(``docs/quizzes.md``, "Python API": an option's place, a list of places, a
number, a text, a dict of blanks), and relabels itself in another language
without losing what was entered.  Option texts wrap: each option is a
checkbox beside an HTML label, so a long option is never cut at 1366 px.
"""
from __future__ import annotations

import re
from html import escape
from typing import Any

import ipywidgets as widgets

from simulator.locale import t

_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
_BLANK = re.compile(r"\{(\d+):_+\}")
_WIDE = widgets.Layout(width="100%")


class Answer:
    """Input controls for one variant; ``response()`` is what the student gave."""

    widget: widgets.Widget

    def response(self) -> Any:
        raise NotImplementedError

    def relabel(self, variant, lang: str) -> None:
        """Show the labels in ``lang``; what was entered stays."""

    @property
    def blank(self) -> bool:
        """Whether nothing was entered yet (Check then says so instead of grading)."""
        return self.response() in (None, "", [], {})


class OptionList(Answer):
    """Options as checkboxes beside wrapping labels; ``single`` keeps at most one ticked.

    The response is the ticked option's place (single) or the sorted places (multiple),
    in the order the student sees them.
    """

    def __init__(self, labels: list[str], single: bool) -> None:
        self.single = single
        self.boxes = [widgets.Checkbox(value=False, indent=False,
                                       layout=widgets.Layout(width="28px"))
                      for _ in labels]
        self.labels = [widgets.HTML() for _ in labels]
        for place, box in enumerate(self.boxes):
            box.add_class("mailsim-quiz-option")
            box.observe(lambda change, p=place: self._ticked(p, change.new), "value")
        self.widget = widgets.VBox([widgets.HBox([box, label]) for box, label in
                                    zip(self.boxes, self.labels, strict=True)])
        self._show(labels)

    def _show(self, labels: list[str]) -> None:
        for label, text in zip(self.labels, labels, strict=True):
            label.value = f"<span style='line-height:1.4'>{escape(text)}</span>"

    def _ticked(self, place: int, value: bool) -> None:
        if self.single and value:
            for other, box in enumerate(self.boxes):
                if other != place:
                    box.value = False

    def choose(self, *places: int) -> None:
        """Tick exactly these options (what a click on each does; for tests and scripts)."""
        for place, box in enumerate(self.boxes):
            box.value = place in places

    def response(self) -> Any:
        ticked = [p for p, box in enumerate(self.boxes) if box.value]
        if self.single:
            return ticked[0] if ticked else None
        return ticked

    def relabel(self, variant, lang: str) -> None:
        self._show(variant.choices(lang))


class TrueFalse(OptionList):
    """Two options, true and false; the response is a bool."""

    def __init__(self, lang: str) -> None:
        super().__init__(self._words(lang), single=True)

    @staticmethod
    def _words(lang: str) -> list[str]:
        return [t("ui.quiz.say_true", lang), t("ui.quiz.say_false", lang)]

    def response(self) -> Any:
        place = super().response()
        return None if place is None else place == 0

    def relabel(self, variant, lang: str) -> None:
        self._show(self._words(lang))


class Typed(Answer):
    """One line of text: a number (``numeric``, decimal comma allowed) or a short answer."""

    def __init__(self, numeric: bool, lang: str) -> None:
        self.numeric = numeric
        self.text = widgets.Text(layout=widgets.Layout(width="320px"))
        self.text.add_class("mailsim-quiz-text")
        self.widget = self.text
        self.relabel(None, lang)

    def response(self) -> Any:
        value = self.text.value.strip()
        if not value or not self.numeric:
            return value
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return value            # Check says it is not a number

    def relabel(self, variant, lang: str) -> None:
        self.text.placeholder = t("ui.quiz.number" if self.numeric else "ui.quiz.text", lang)


class Pick(Answer):
    """A dropdown per row: a right for each left (matching) or an item for each place
    (ordering).  The response is, per row, the place of the chosen entry."""

    def __init__(self, rows: list[str], entries: list[str], preset: bool) -> None:
        self.heads = [widgets.HTML(layout=widgets.Layout(width="38%")) for _ in rows]
        self.menus = [widgets.Dropdown(layout=widgets.Layout(width="58%")) for _ in rows]
        self.preset = preset
        self._show(rows, entries)
        if preset:                    # ordering: start from the order shown
            for place, menu in enumerate(self.menus):
                menu.value = place
        self.widget = widgets.VBox([widgets.HBox([head, menu]) for head, menu in
                                    zip(self.heads, self.menus, strict=True)])

    def _show(self, rows: list[str], entries: list[str]) -> None:
        for head, text in zip(self.heads, rows, strict=True):
            head.value = f"<span style='line-height:1.4'>{escape(text)}</span>"
        options = [(text, place) for place, text in enumerate(entries)]
        for menu in self.menus:
            kept = menu.value
            menu.options = options if self.preset else [("—", None), *options]
            menu.value = kept

    def response(self) -> Any:
        chosen = [menu.value for menu in self.menus]
        return [] if all(c is None for c in chosen) else chosen

    def relabel(self, variant, lang: str) -> None:
        self._show(self.rows(variant, lang), variant.choices(lang))

    @staticmethod
    def rows(variant, lang: str) -> list[str]:
        """Matching: the lefts; ordering: "1.", "2." … (places to fill)."""
        lefts = variant.lefts(lang)
        if lefts is not None:
            return lefts
        return [f"{n}." for n in range(1, len(variant.choices(lang)) + 1)]


class Cloze(Answer):
    """A transcript with a text box in place of each ``{n:___}`` blank."""

    def __init__(self, transcript: str) -> None:
        self.blanks: dict[str, widgets.Text] = {}
        lines = []
        for line in transcript.rstrip("\n").split("\n"):
            parts: list[widgets.Widget] = []
            pos = 0
            for m in _BLANK.finditer(line):
                parts.append(self._words(line[pos:m.start()]))
                box = widgets.Text(layout=widgets.Layout(width="90px"),
                                   placeholder=m.group(1))
                box.add_class("mailsim-quiz-blank")
                self.blanks[m.group(1)] = box
                parts.append(box)
                pos = m.end()
            parts.append(self._words(line[pos:]))
            lines.append(widgets.HBox(parts, layout=widgets.Layout(align_items="center")))
        self.widget = widgets.VBox(lines)

    @staticmethod
    def _words(text: str) -> widgets.HTML:
        return widgets.HTML(f"<span style='{_MONO}white-space:pre'>{escape(text)}</span>")

    def response(self) -> Any:
        filled = {n: box.value.strip() for n, box in self.blanks.items()}
        return filled if any(filled.values()) else {}


class Commands(Answer):
    """A task: a protocol console on the variant's scenario; the response is its session."""

    def __init__(self, variant, lang: str) -> None:
        from .console import ProtocolConsole
        self.console = ProtocolConsole(variant.session(), lang, diagram=False)
        self.widget = self.console

    def response(self) -> Any:
        return self.console.history

    def relabel(self, variant, lang: str) -> None:
        self.console.set_lang(lang)


def answer_for(variant, lang: str) -> Answer:
    """The controls for ``variant``, by its type (a ``sim`` item by its ``ask``)."""
    kind = variant.item.ask
    if kind in ("single", "multiple"):
        return OptionList(variant.choices(lang), single=kind == "single")
    if kind == "truefalse":
        return TrueFalse(lang)
    if kind in ("numeric", "short"):
        return Typed(kind == "numeric", lang)
    if kind in ("matching", "ordering"):
        return Pick(Pick.rows(variant, lang), variant.choices(lang), preset=kind == "ordering")
    if kind == "cloze":
        return Cloze(variant.transcript())
    if kind == "task":
        return Commands(variant, lang)
    raise ValueError(f"no answer controls for the item type {kind!r}")
