"""Small HTML tables for the course notebooks: computed facts shown as a table.

``table`` shows any rows; ``steps_table`` shows trace steps with their
explanations (``#N``, the line, the text), so a notebook can answer a question
with a computed table instead of a sentence.  Both return an IPython ``HTML``
object, which JupyterLab, Notebook 7 and Voilà render alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from IPython.display import HTML

from simulator.trace import Step

_CELL = "border:1px solid #cfd8dc;padding:3px 8px;text-align:left;vertical-align:top;"
_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"


def table(header: Sequence[str], rows: Iterable[Sequence[object]],
          mono: Sequence[int] = ()) -> HTML:
    """An HTML table of ``rows`` under ``header``; columns in ``mono`` use a code font."""
    head = "".join(f"<th style='{_CELL}background:#eceff1'>{escape(str(h))}</th>"
                   for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='{_CELL}{_MONO if i in mono else ''}'>{escape(str(v))}</td>"
                         for i, v in enumerate(row)) + "</tr>"
        for row in rows)
    return HTML(f"<table style='border-collapse:collapse;margin:6px 0'><tr>{head}</tr>{body}"
                "</table>")


def steps_table(steps: Iterable[Step], lang: str) -> HTML:
    """Trace steps as rows: the step number, the line, and its explanation in ``lang``."""
    header = {"ru": ("№", "строка", "пояснение"), "en": ("#", "line", "explanation")}[lang]
    return table(header, ((f"#{s.number}", s.line, s.explanation(lang)) for s in steps),
                 mono=(1,))
