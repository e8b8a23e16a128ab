"""ProtocolConsole: type commands to a mail server, see the replies, the state and why.

A telnet in a notebook.  The student types ``USER bob@b.test`` and sees
``C:``/``S:`` lines coloured like the player's transcript, each with its
ru/en explanation, the server's state after it, the commands the state table
allows there, and the state diagram with the current state highlighted.
Behind it is either a simulated session on a scenario's network or a live
one with ``mailsim serve`` (:mod:`.console_session`).

Headless tests set ``console.command.value`` and click ``console.send``
(or call :meth:`ProtocolConsole.submit`), then read ``transcript.value`` and
``state.value``.  A live session runs in a worker thread so the kernel never
waits on a socket; :meth:`ProtocolConsole.wait` joins it.
"""
from __future__ import annotations

import threading
from html import escape

import ipywidgets as widgets

from simulator.locale import t
from simulator.plots import has_table, state_svg
from simulator.plots.state_tables import accepted
from simulator.scenarios.model import Scenario
from simulator.trace import Step
from simulator.views import OKABE_ITO

from . import html
from .console_session import LiveSession, SimulatedSession

MAX_ROWS = 300          # transcript rows kept: a long session must not slow the browser down
_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
_NOTE = "color:#546e7a;font-size:11px;margin:0 0 3px 18px;font-family:sans-serif;"


def step_rows(step: Step, lang: str) -> str:
    """One transcript row with its explanation under it."""
    note = html.explanation(step, lang).replace("<p style='margin:4px 0'>",
                                                f"<p style='{_NOTE}'>")
    return html.step_row(step, lang) + note


class ProtocolConsole(widgets.VBox):
    """A command line to one server session, with history, explanations and the state."""

    def __init__(self, session, lang: str = "ru", *, threaded: bool = False,
                 diagram: bool = True) -> None:
        self.session, self.lang = session, lang
        self.threaded, self.diagram = threaded, diagram
        self.steps: list[Step] = []
        self.history: list[str] = []
        self.pending: list[str] = []      # SMTP DATA lines typed but not yet answered
        self.error = ""
        self._cursor = 0                  # position in history for the ↑/↓ buttons
        self._worker: threading.Thread | None = None
        self._build()
        super().__init__(children=self._layout())
        self.add_class("mailsim-console")
        self._wire()
        self._relabel()
        self._run(self._connect)

    @classmethod
    def simulated(cls, scenario: str | Scenario, protocol: str = "SMTP", *, lang: str = "ru",
                  host: str | None = None, port: int | None = None, run: bool = True,
                  readers: bool = False, **options) -> ProtocolConsole:
        """A console to a host of ``scenario`` once its mail is delivered (SimulatedSession)."""
        session = SimulatedSession(scenario, protocol, host=host, port=port, run=run,
                                   readers=readers)
        return cls(session, lang, **options)

    @classmethod
    def live(cls, port: int, protocol: str = "SMTP", *, host: str = "127.0.0.1",
             lang: str = "ru", threaded: bool = True, **options) -> ProtocolConsole:
        """A console to ``mailsim serve`` on ``host:port`` (e.g. 10025, 10110, 10143)."""
        return cls(LiveSession(protocol, port, host), lang, threaded=threaded, **options)

    # -- construction ----------------------------------------------------------------
    def _build(self) -> None:
        self.title = widgets.HTML()
        self.language = widgets.ToggleButtons(options=[("RU", "ru"), ("EN", "en")],
                                              value=self.lang, style={"button_width": "44px"})
        self.transcript = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.transcript.add_class("mailsim-console-transcript")
        self.state = widgets.HTML()
        self.state.add_class("mailsim-console-state")
        self.command = widgets.Text(layout=widgets.Layout(width="50%"), continuous_update=True)
        self.command.add_class("mailsim-command")
        # Buttons as wide as their words: "Подключиться заново" must not be cut.
        self.send = widgets.Button(icon="paper-plane", button_style="primary",
                                   layout=widgets.Layout(width="auto"))
        self.send.add_class("mailsim-send")
        self.older = widgets.Button(icon="arrow-up", layout=widgets.Layout(width="40px"))
        self.newer = widgets.Button(icon="arrow-down", layout=widgets.Layout(width="40px"))
        self.reconnect = widgets.Button(icon="refresh", layout=widgets.Layout(width="auto"))
        self.reconnect.add_class("mailsim-reconnect")
        self.recent = widgets.Select(rows=8, layout=widgets.Layout(width="230px"))
        self.recent.add_class("mailsim-history")
        self.image = widgets.Image(format="svg+xml", layout=widgets.Layout(max_width="100%"))

    def _layout(self) -> list[widgets.Widget]:
        line = widgets.HBox([self.command, self.send, self.older, self.newer, self.reconnect])
        side = widgets.VBox([self.state, self.recent], layout=widgets.Layout(width="32%"))
        main = widgets.VBox([self.transcript, line], layout=widgets.Layout(width="68%"))
        return [widgets.HBox([self.title, self.language]), widgets.HBox([main, side]),
                self.image]

    def _wire(self) -> None:
        self.send.on_click(lambda _: self.submit())
        # Enter in the Text sends a "submit" message; on_msg avoids the deprecated on_submit.
        self.command.on_msg(lambda _w, content, _b: content.get("event") == "submit"
                            and self.submit())
        self.older.on_click(lambda _: self.browse(-1))
        self.newer.on_click(lambda _: self.browse(+1))
        self.recent.observe(self._pick, "value")
        self.reconnect.on_click(lambda _: self._run(self._connect))
        self.language.observe(lambda c: self.set_lang(c.new), "value")

    def _relabel(self) -> None:
        self.command.placeholder = t(f"ui.console.placeholder.{self.session.protocol}",
                                     self.lang)
        self.send.description = t("ui.console.send", self.lang)
        self.older.tooltip = t("ui.console.older", self.lang)
        self.newer.tooltip = t("ui.console.newer", self.lang)
        self.reconnect.description = t("ui.console.reconnect", self.lang)
        self.recent.description = ""
        self.recent.tooltip = t("ui.console.history", self.lang)

    def set_lang(self, lang: str) -> None:
        """Show every label, explanation and the diagram in ``lang`` (``ru`` or ``en``)."""
        self.lang = lang
        self.language.value = lang
        self._relabel()
        self.render()

    # -- talking to the server -------------------------------------------------------
    def submit(self, text: str | None = None) -> None:
        """Send the typed command (or ``text``) to the server and show what happened."""
        line = self.command.value if text is None else text
        if self.busy or self.session.closed:
            return
        self.command.value = ""
        if line.strip():
            self.history.append(line)
            self.recent.options = list(reversed(self.history))
        self._cursor = len(self.history)
        self._run(lambda: self._exchange(line))

    def _connect(self) -> None:
        self.session.close()
        self.steps, self.pending, self.error = [], [], ""
        try:
            self.steps += self.session.open()
        except OSError as exc:
            self.error = t("ui.console.cannot_connect", self.lang, reason=str(exc))

    def _exchange(self, line: str) -> None:
        try:
            got = self.session.send(line)
        except OSError as exc:
            self.error = t("ui.console.cannot_connect", self.lang, reason=str(exc))
            return
        # Lines of an SMTP message body get no reply and no step until the final dot;
        # an IMAP command with a literal is one step once its last octet has arrived.
        busy = self.session.literal.busy
        self.pending = self.pending + [line] if not got or busy else []
        self.steps += got

    @property
    def busy(self) -> bool:
        """Whether a live exchange is still running in the worker thread."""
        return self._worker is not None and self._worker.is_alive()

    def _run(self, work) -> None:
        """Do ``work`` now, or in a worker thread for a live session; render afterwards."""
        def job():
            try:
                work()
            finally:
                self.render()
        if not self.threaded:
            job()
            return
        self.send.disabled = True
        self._worker = threading.Thread(target=job, name="mailsim-console", daemon=True)
        self._worker.start()

    def wait(self, timeout: float = 15.0) -> None:
        """Wait for the worker thread of a live session (tests and scripts)."""
        if self._worker is not None:
            self._worker.join(timeout)

    # -- history ---------------------------------------------------------------------
    def browse(self, step: int) -> None:
        """Put an older (-1) or newer (+1) command from the history into the input."""
        if not self.history:
            return
        self._cursor = max(0, min(len(self.history), self._cursor + step))
        self.command.value = self.history[self._cursor] if self._cursor < len(self.history) \
            else ""

    def _pick(self, change) -> None:
        if change.new is not None:
            self.command.value = change.new

    # -- drawing ---------------------------------------------------------------------
    def render(self) -> None:
        """Show the transcript, the state, the allowed commands and the diagram."""
        self.title.value = self._title()
        rows = "".join(step_rows(s, self.lang) for s in self.steps[-MAX_ROWS:])
        rows += "".join(f"<div style='color:#90a4ae;padding-left:8px'>C: {escape(p)}</div>"
                        for p in self.pending)
        if self.error:
            rows += f"<div style='color:#c62828'><b>{escape(self.error)}</b></div>"
        self.transcript.value = (f"<div style='{_MONO}max-height:420px;overflow-y:auto;"
                                 f"display:flex;flex-direction:column-reverse'><div>"
                                 f"{rows}</div></div>")
        self.state.value = self._state_html()
        self.send.disabled = self.session.closed
        self.command.disabled = self.session.closed
        self._draw_diagram()

    def _title(self) -> str:
        s = self.session
        where = f"{s.host}:{s.port} ({s.protocol})"
        key = "ui.console.live_title" if isinstance(s, LiveSession) else "ui.console.title"
        text = t(key, self.lang, where=where, scenario=s.scenario_name)
        return f"<b>{escape(text)}</b>"

    def _state_html(self) -> str:
        state = self.session.state
        if self.session.closed:
            return f"<b>{escape(t('ui.console.closed', self.lang))}</b>"
        if state is None:
            return f"<i>{escape(t('ui.console.no_state', self.lang))}</i>"
        allowed = ", ".join(self.allowed()) or "—"
        return (f"<div class='mailsim-console-state-name'><b>"
                f"{escape(t('ui.console.state', self.lang, state=state))}</b></div>"
                f"<div style='font-size:11px'>"
                f"{escape(t('ui.console.allowed', self.lang, commands=allowed))}</div>"
                f"{self._imap_hint()}")

    def _imap_hint(self) -> str:
        """IMAP: how tags and literals are typed, or how much of a literal is still due."""
        literal = self.session.literal
        if self.session.protocol != "IMAP":
            return ""
        if literal.collecting:
            text = t("ui.console.literal_left", self.lang, left=literal.left, size=literal.size)
            return (f"<div class='mailsim-literal' style='color:{OKABE_ITO['vermillion']}'>"
                    f"<b>{escape(text)}</b></div>")
        return (f"<div class='mailsim-imap-hint' style='font-size:11px;color:#546e7a'>"
                f"{escape(t('ui.console.imap_hint', self.lang))}</div>")

    def allowed(self) -> list[str]:
        """The commands the protocol's state table accepts in the current state."""
        protocol, state = self.session.protocol, self.session.state
        if not state or not has_table(protocol):
            return []
        return accepted(protocol, state, self.session.offers)

    def _draw_diagram(self) -> None:
        protocol, state = self.session.protocol, self.session.state
        show = self.diagram and state is not None and has_table(protocol)
        self.image.layout.display = "" if show else "none"
        if not show:
            return
        previous = next((s.state_before for s in reversed(self.steps)
                         if s.state_after == state and s.state_before), None)
        self.image.value = state_svg(protocol, state, previous, self.lang)
