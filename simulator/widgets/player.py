"""TracePlayer: step through a trace forwards and backwards in a notebook.

A view is a function of a Trace (docs/architecture.md, the hyperspy habit): the
player builds its widgets from the trace, and every change (a click, the
slider, Play ticking, a filter, the language) ends in :meth:`TracePlayer.render`,
which only reads precomputed data.  Tests drive it from Python — click a
button, set the slider — and read ``transcript.value`` / ``details.value``;
a browser test can find the same parts by their CSS classes
(``mailsim-transcript``, ``mailsim-step``, ``mailsim-next``, ``mailsim-picture`` …).

Steps are numbered from 1 (``Step.number``) in the rows, the counter, the step
panel and :meth:`TracePlayer.show`.  The browser side (:mod:`.player_shell`)
adds only what ipywidgets cannot do: ←/→ keys, following the current row in
the transcript window, and full screen.
"""
from __future__ import annotations

from html import escape

import ipywidgets as widgets

from simulator.locale import t
from simulator.trace import Step, Trace

from . import html
from .pictures import KINDS, Picture, PictureCache
from .player_shell import PlayerShell
from .server_view import server_views

SPEEDS = (0.5, 1, 2, 4, 8)          # steps per second for Play
#: The value of a filter's "(all)" option.  Not None: ipywidgets 8 takes a None value
#: for "nothing selected" and shows a blank instead of the option's label.
ALL = ""
_NATURAL = {"description_width": "initial"}    # a label as wide as its words: never cut
_BUTTONS = (("first", "fast-backward"), ("back", "step-backward"),
            ("forward", "step-forward"), ("last", "fast-forward"))


class TracePlayer(widgets.VBox):
    """A trace player: controls, filters, transcript, step panel and a picture.

    ``TracePlayer(trace, lang="ru", picture="none")``; ``picture`` is one of
    ``none``, ``sequence``, ``state``, ``topology``.  :meth:`show` jumps to a
    step by its number — the ``#N`` of the rows and the counter, 1 for the first
    step — and renders it (the benchmark calls it once per step).
    """

    def __init__(self, trace: Trace, lang: str = "ru", picture: str = "none") -> None:
        self.trace, self.lang = trace, lang
        self.positions = list(range(len(trace)))
        self._views = server_views(trace)       # server side after each step, computed once
        self._pictures = PictureCache(trace)
        self._quiet = False                     # True while relabelling: no re-render storms
        self._build(picture)
        super().__init__(children=self._layout())
        self.add_class("mailsim-player")
        self._wire()
        self._relabel()
        self.render()

    # -- construction ----------------------------------------------------------------
    # The sizes are chosen for a 1366×768 laptop: controls, the current row and the
    # picture fit on one screen in JupyterLab, Notebook 7 and Voilà (tests/browser).
    def _build(self, picture: str) -> None:
        last = max(0, len(self.trace) - 1)
        self.play = widgets.Play(min=0, max=last, interval=1000, show_repeat=False)
        self.slider = widgets.IntSlider(min=0, max=last, readout=False,
                                        layout=widgets.Layout(flex="1 1 120px", width="auto"))
        self.buttons = {name: widgets.Button(icon=icon, layout=widgets.Layout(width="40px"))
                        for name, icon in _BUTTONS}
        for name, button in self.buttons.items():
            button.add_class(f"mailsim-{'next' if name == 'forward' else name}")
        self.position = widgets.HTML(layout=widgets.Layout(width="auto"))
        self.position.add_class("mailsim-position")
        self.speed = widgets.Dropdown(options=[(f"{v:g}×", v) for v in SPEEDS], value=1,
                                      style=_NATURAL, layout=widgets.Layout(width="auto"))
        self.filters = {name: widgets.Dropdown(style=_NATURAL,
                                               layout=widgets.Layout(width="auto"))
                        for name in ("protocol", "conn", "node")}
        self.language = widgets.ToggleButtons(options=[("RU", "ru"), ("EN", "en")],
                                              value=self.lang,
                                              style={"button_width": "40px"})
        self.shell = PlayerShell()
        self.picture = widgets.ToggleButtons(options=[(k, k) for k in KINDS], value=picture,
                                             style={**_NATURAL, "button_width": "auto"})
        self.transcript = widgets.HTML(layout=widgets.Layout(height="250px", overflow="auto"))
        self.transcript.add_class("mailsim-window")
        self.details = widgets.HTML(layout=widgets.Layout(max_height="210px", overflow="auto"))
        self.details.add_class("mailsim-details")
        # The picture is an <img> with a data: URL inside an HTML widget: one value per change.
        # (An Image widget sends format, bytes and its layout's display as three messages;
        # under load Notebook 7 was seen showing none of the picture after Run All.)
        self.image = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.shown = Picture()                   # the picture on screen, for tests
        self.note = widgets.HTML()               # whose state is drawn, or why nothing is
        self.note.add_class("mailsim-picture-note")

    def _layout(self) -> list[widgets.Widget]:
        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        controls = widgets.HBox([self.play, *self.buttons.values(), self.slider, self.position,
                                 self.shell], layout=row)
        options = widgets.HBox([*self.filters.values(), self.speed, self.language], layout=row)
        text = widgets.VBox([self.transcript, self.details],
                            layout=widgets.Layout(flex="1 1 400px", min_width="0"))
        picture = widgets.VBox([self.picture, self.note, self.image],
                               layout=widgets.Layout(flex="1.3 1 400px", min_width="0"))
        body = widgets.Layout(flex_flow="row wrap", align_items="flex-start")
        return [controls, options, widgets.HBox([text, picture], layout=body)]

    def _wire(self) -> None:
        widgets.link((self.play, "value"), (self.slider, "value"))
        self.slider.observe(lambda _: self._changed(), "value")
        moves = {"first": lambda: self._go(0),
                 "back": lambda: self._go(self.slider.value - 1),
                 "forward": lambda: self._go(self.slider.value + 1),
                 "last": lambda: self._go(len(self.positions) - 1)}
        for name, button in self.buttons.items():
            button.on_click(lambda _, move=moves[name]: move())
        self.shell.on_move(lambda name: moves[name]())
        self.speed.observe(lambda c: setattr(self.play, "interval", int(1000 / c.new)), "value")
        for dropdown in self.filters.values():
            dropdown.observe(lambda _: self._refilter(), "value")
        self.language.observe(lambda c: self.set_lang(c.new), "value")
        self.picture.observe(lambda _: self._changed(), "value")

    # -- labels in the chosen language -------------------------------------------------
    def _choices(self, name: str) -> list[tuple[str, str | None]]:
        everything = {"protocol": dict.fromkeys(s.protocol for s in self.trace),
                      "conn": dict.fromkeys(self.trace.connections()),
                      "node": dict.fromkeys(n for s in self.trace for n in (s.src, s.dst))}
        return [(t("ui.player.all", self.lang), ALL)] + [(v, v) for v in everything[name]
                                                         if v]

    def _relabel(self) -> None:
        self._quiet = True
        try:
            for name, dropdown in self.filters.items():
                value = dropdown.value or ALL
                dropdown.options = self._choices(name)
                dropdown.value, dropdown.description = value, t(f"ui.player.{name}", self.lang)
            for name, button in self.buttons.items():
                button.tooltip = t(f"ui.player.{name}", self.lang)
            self.play.tooltip = t("ui.player.play", self.lang)
            self.shell.label = t("ui.player.fullscreen", self.lang)
            self.speed.description = t("ui.player.speed", self.lang)
            kind = self.picture.value
            self.picture.options = [(t(f"ui.player.pictures.{k}", self.lang), k) for k in KINDS]
            self.picture.value = kind
            self.picture.tooltips = [f"{t('ui.player.picture', self.lang)}: {label}"
                                     for label, _ in self.picture.options]
        finally:
            self._quiet = False

    def set_lang(self, lang: str) -> None:
        """Switch every label, explanation and picture to ``lang`` (``ru`` or ``en``)."""
        self.lang = lang
        self.language.value = lang
        self._relabel()
        self.render()

    # -- moving ----------------------------------------------------------------------
    @property
    def index(self) -> int | None:
        """The trace index of the current step (None when the filters hide every step)."""
        return self.positions[self.slider.value] if self.positions else None

    def _go(self, position: int) -> None:
        self.slider.value = max(0, min(position, len(self.positions) - 1))

    @property
    def step(self) -> Step | None:
        """The current step (None when the filters hide every step)."""
        return None if self.index is None else self.trace[self.index]

    def show(self, number: int) -> None:
        """Jump to step ``number`` (``#N``; or the next one the filters let through), render."""
        position = next((p for p, i in enumerate(self.positions) if i >= number - 1),
                        len(self.positions) - 1)
        if position == self.slider.value:
            self.render()
        else:
            self._go(position)

    def _changed(self) -> None:
        if not self._quiet:
            self.render()

    def _refilter(self) -> None:
        """Keep the current step if it passes the new filters, else the next one that does."""
        if self._quiet:
            return
        current = self.index or 0
        f = {name: dropdown.value or None for name, dropdown in self.filters.items()}
        self.positions = [s.index for s in self.trace.filter(**f)]
        self._quiet = True
        try:
            last = max(0, len(self.positions) - 1)
            self.slider.max = self.play.max = last
            self.slider.value = next((p for p, i in enumerate(self.positions) if i >= current),
                                     last)
        finally:
            self._quiet = False
        self.render()

    # -- drawing ---------------------------------------------------------------------
    def render(self) -> None:
        """Show the current step: transcript, step panel, position and picture."""
        if not self.positions:
            key = "ui.player.nothing_shown" if len(self.trace) else "cli.replay.empty"
            text = t(key, self.lang, scenario=self.trace.scenario or "…")
            self.transcript.value = f"<i>{escape(text)}</i>"
            self.details.value = self.position.value = self.note.value = ""
            self.image.value, self.shown = "", Picture()
            return
        position = self.slider.value
        steps = [self.trace[i] for i in self.positions]
        step = steps[position]
        self.transcript.value = html.transcript(steps, position, self.lang)
        self.details.value = html.step_panel(step, self._views[step.index], self.lang)
        self.position.value = escape(self._counter(position, step))
        self._draw_picture(position)

    def _counter(self, position: int, step: Step) -> str:
        """``step 42 of 78``, or with a filter ``step 3 of 17 shown (#56 of 78)``."""
        if len(self.positions) == len(self.trace):
            return t("ui.player.position", self.lang, number=step.number, count=len(self.trace))
        return t("ui.player.position_filtered", self.lang, position=position + 1,
                 shown=len(self.positions), number=step.number, count=len(self.trace))

    def _draw_picture(self, position: int) -> None:
        picture = self._pictures.get(self.picture.value, self.positions, position, self.lang)
        if picture is not self.shown:
            self.image.value, self.shown = html.picture(picture.data, picture.format), picture
        self.note.value = f"<i>{escape(picture.note)}</i>" if picture.note else ""
