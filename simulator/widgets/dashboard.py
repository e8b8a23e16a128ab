"""TeacherDashboard: the teacher's live view of a class doing Lab 16 (issue 17).

It follows the ``--trace`` file of a running ``mailsim serve`` (the
server streams every step there as it happens; the dashboard reads what is
new, :class:`~simulator.server.trace_file.TraceFollower`) and shows a row per
student: which live tasks of the bank are done (``docs/quizzes.md``, "Live
tasks"; ``exercises/lab16/classroom.yaml`` by default), and the last mistake
the server recognised, with its explanation in the teacher's language.  A
client nobody logged in from has a row of its address.

It refreshes on a timer of the kernel's own event loop (no thread, no loop
that blocks the kernel), and exports the grades as the CSV of
``mailsim quiz grade --trace``.  Headless tests call :meth:`refresh` and read
``dashboard.table.value``, click ``dashboard.export`` and read the file.
"""
from __future__ import annotations

import asyncio
import base64
import os
from datetime import datetime
from html import escape
from pathlib import Path

import ipywidgets as widgets

from simulator.locale import explain, t
from simulator.quiz import Bank, load_bank
from simulator.quiz.live import ClassProgress, Row, class_roster
from simulator.server.trace_file import TraceFollower

#: Seconds between refreshes.
INTERVAL = 3.0
#: Seconds of checking per refresh at most; students left over are checked at the next one.
EVALUATION_BUDGET = 1.0
#: The environment ``mailsim serve --dashboard`` sets for the notebook it opens.
ENVIRONMENT = {"trace": "MAILSIM_DASHBOARD_TRACE", "bank": "MAILSIM_DASHBOARD_BANK",
               "roster": "MAILSIM_DASHBOARD_CLASS", "students": "MAILSIM_DASHBOARD_STUDENTS",
               "domain": "MAILSIM_DASHBOARD_DOMAIN"}
_DONE, _PART, _TODO, _ERROR = "#1b7a3d", "#9a6700", "#8c959f", "#b3261e"
_STYLE = """<style>
.mailsim-dash table {border-collapse: collapse; width: 100%; font-size: 13px;}
.mailsim-dash th, .mailsim-dash td {border-bottom: 1px solid #d0d7de; padding: 3px 6px;
  text-align: left; vertical-align: top;}
.mailsim-dash td.step, .mailsim-dash th.step {text-align: center; width: 2.6em;}
.mailsim-dash td.error {font-size: 12px; line-height: 1.35;}
.mailsim-dash .legend {font-size: 12px; margin-top: 6px;}
</style>"""


class TeacherDashboard(widgets.VBox):
    """A row per student: the lab's steps done, the last error with its explanation."""

    def __init__(self, trace: str | os.PathLike, bank: Bank | str | os.PathLike | None = None,
                 roster: list[tuple[str, str]] | None = None, lang: str = "ru",
                 interval: float = INTERVAL, export_dir: str | os.PathLike | None = None
                 ) -> None:
        """``trace``: the file of ``mailsim serve --trace``; ``bank``: the live tasks
        (default: the course's ``lab16/classroom``); ``roster``: ``(address, name)`` of
        every student, so that those who have not started have a row too; ``export_dir``:
        where the grade CSV goes (default: the trace file's folder, the teacher's own)."""
        if bank is None:
            from simulator.lab import course_bank
            bank = course_bank("lab16/classroom")
        self.bank = bank if isinstance(bank, Bank) else load_bank(bank, lang)
        self.path = str(trace)
        self.lang, self.interval = lang, interval
        self.export_dir = Path(export_dir) if export_dir is not None else \
            Path(self.path).resolve().parent
        self.follower = TraceFollower(self.path)
        self.progress = ClassProgress(self.bank, roster or [])
        self.updated: str | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.title = widgets.HTML(f"<h3>{escape(self.bank.title[lang])}</h3>")
        self.status = widgets.HTML()
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.export = widgets.Button(description=t("ui.dashboard.export", lang), icon="download",
                                     layout=widgets.Layout(width="auto"))
        self.download = widgets.HTML()
        self.export.on_click(lambda _button: self.export_csv())
        super().__init__(children=[self.title, self.status, self.table,
                                   widgets.HBox([self.export, self.download])],
                         layout=widgets.Layout(width="100%"))
        self.add_class("mailsim-dash")
        self.refresh()

    @classmethod
    def from_environment(cls, lang: str = "ru", **options) -> TeacherDashboard:
        """The dashboard ``mailsim serve --dashboard`` asks for (its environment, see
        :data:`ENVIRONMENT`); without it, the trace ``live.jsonl`` and no roster."""
        env = {key: os.environ.get(name) for key, name in ENVIRONMENT.items()}
        domain = env["domain"] or "example.test"
        roster = []
        if env["roster"]:
            from simulator.server.roster import read_roster
            roster = class_roster(read_roster(env["roster"]), domain)
        elif env["students"]:
            from simulator.server.roster import numbered
            roster = class_roster(numbered(int(env["students"])), domain)
        return cls(env["trace"] or "live.jsonl", env["bank"], roster, lang, **options)

    # -- the timer ----------------------------------------------------------------------
    def start(self) -> TeacherDashboard:
        """Refresh every ``interval`` seconds on the kernel's event loop (Jupyter, Voilà)."""
        self.stop()
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return self                 # no loop (a plain script): refresh() by hand
        self._timer = loop.call_later(self.interval, self._tick)
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        try:
            self.refresh()
        except Exception as exc:        # noqa: BLE001 - the view says so and keeps trying
            self.status.value = f"<p>{escape(t('ui.dashboard.broken', self.lang, reason=exc))}</p>"
        self._timer = asyncio.get_event_loop().call_later(self.interval, self._tick)

    # -- reading and drawing ---------------------------------------------------------------
    def refresh(self) -> None:
        """Read what the server wrote since the last time, check, and redraw."""
        steps = self.follower.read()
        self.progress.feed(steps)
        self.progress.evaluate(budget=EVALUATION_BUDGET)
        self.updated = datetime.now().strftime("%H:%M:%S")
        self.status.value = self._status()
        self.table.value = self._table()

    def _status(self) -> str:
        lang = self.lang
        if not Path(self.path).exists() and not self.progress.steps_read:
            return f"<p>{escape(t('ui.dashboard.waiting', lang, path=self.path))}</p>"
        students = self.progress.students()
        done = sum(1 for row in students if all(row.done(i.id) for i in self.progress.items))
        return "<p>" + escape(t("ui.dashboard.status", lang, time=self.updated,
                                steps=self.progress.steps_read, path=self.path)) + " · " + \
            escape(t("ui.dashboard.finished", lang, count=done, total=len(students))) + "</p>"

    def _table(self) -> str:
        lang, items = self.lang, self.progress.items
        head = "".join(f"<th class='step' title='{escape(i.variant().text(lang), True)}'>"
                       f"{n}</th>" for n, i in enumerate(items, 1))
        rows = [(f"<tr><th>{escape(t('ui.dashboard.student', lang))}</th>{head}"
                 f"<th>{escape(t('ui.dashboard.done', lang))}</th>"
                 f"<th>{escape(t('ui.dashboard.last_error', lang))}</th></tr>")]
        rows += [self._row(row) for row in self.progress.students()]
        rows += [self._row(row) for row in self.progress.strangers()]
        legend = "".join(f"<li>{escape(i.variant().text(lang))}</li>" for i in items)
        return (f"{_STYLE}<table>{''.join(rows)}</table>"
                f"<ol class='legend'>{legend}</ol>")

    def _row(self, row: Row) -> str:
        lang, items = self.lang, self.progress.items
        if row.account:
            who = f"<b>{escape(row.login)}</b>" + (f"<br><small>{escape(row.name)}</small>"
                                                  if row.name and row.name != row.login else "")
        else:
            who = escape(t("ui.dashboard.stranger", lang, address=row.key))
        cells = "".join(self._cell(row, item.id) for item in items) if row.account else \
            f"<td colspan='{len(items) + 1}'></td>"
        done = sum(1 for item in items if row.done(item.id))
        count = f"<td>{done}/{len(items)}</td>" if row.account else ""
        return (f"<tr data-student='{escape(row.key, True)}'><td>{who}</td>{cells}{count}"
                f"<td class='error'>{self._error(row)}</td></tr>")

    def _cell(self, row: Row, item: str) -> str:
        score = row.scores.get(item, 0.0)
        if score >= 1.0:
            return f"<td class='step done' style='color:{_DONE}'>✓</td>"
        if score > 0:
            return f"<td class='step part' style='color:{_PART}'>{round(score * 100)}%</td>"
        return f"<td class='step todo' style='color:{_TODO}'>·</td>"

    def _error(self, row: Row) -> str:
        step = row.error
        if step is None:
            return ""
        seconds = int(step.time)
        when = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        text = explain(step.explain, step.params, self.lang)
        return (f"<span style='color:{_ERROR}' data-diagnosis='{escape(step.meta['diagnosis'])}'>"
                f"{escape(when)}</span> {escape(text)}")

    # -- grades -------------------------------------------------------------------------
    def export_csv(self) -> Path | None:
        """Write the grades (the CSV of ``mailsim quiz grade --trace``) into ``export_dir``
        and offer them for download; returns the file (None if it could not be written:
        the download link is there all the same)."""
        self.refresh()
        text = self.progress.csv()
        path = self.export_dir / f"grades-{self.bank.id}-{datetime.now():%Y%m%d-%H%M%S}.csv"
        try:
            path.write_text(text, encoding="utf-8")
            said = t("ui.dashboard.exported", self.lang, path=str(path),
                     count=len(self.progress.students()))
        except OSError as exc:
            said = t("ui.dashboard.not_written", self.lang, path=str(path),
                     reason=exc.strerror or exc)
            path = None
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        name = f"grades-{self.bank.id}.csv" if path is None else path.name
        self.download.value = (f"{escape(said)} <a download='{escape(name, True)}' "
                               f"href='data:text/csv;base64,{data}'>{escape(name)}</a>")
        return path
