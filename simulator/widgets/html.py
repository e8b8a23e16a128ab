"""HTML fragments of a trace: transcript rows, the step panel, the server view.

Pure functions of Steps and views that return strings, so the player only
chooses what to show and tests read the text.  Inline styles only: they work
in JupyterLab, Notebook 7 and Voilà without a stylesheet.  Colours and the
C:/S: prefixes are the terminal replay's (:mod:`simulator.views`).
"""
from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from simulator.locale import citations, explain, t
from simulator.trace import Step
from simulator.views import (
    COLOURS,
    HIGHLIGHT,
    HIGHLIGHT_EDGE,
    NEUTRAL,
    PREFIXES,
    shorten,
    step_text,
)

from .server_view import ServerView

_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
MAX_BLOCK_LINES = 12    # a DATA body in the transcript is shortened in the middle
_ONE_LINE = "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;"
# Fill the widget's width without widening it (long rows end in "…"), at text line height:
# an ipywidgets HTML widget otherwise grows to its longest line, at 28 px a line.
_FILL = "width:0;min-width:100%;line-height:1.45;white-space:normal;"


def _row_text(step: Step, lang: str) -> list[str]:
    """The lines a row shows: the bytes' lines, or for an event without any its explanation."""
    lines = step_text(step, lang).splitlines()
    if lines:
        return shorten(lines, MAX_BLOCK_LINES, lang)
    return [explain(step.explain, step.params, lang) if step.explain
            else t(f"common.direction.{step.direction}", lang)]


def step_row(step: Step, lang: str, current: bool = False) -> str:
    """One transcript row: ``#14 c1 C: RCPT TO:<bob@b.test>``, the current one marked.

    A reply of several lines (EHLO, a DATA body) is one row, folded: its first
    line and "(+8 more)"; a click unfolds it (``<details>``, no script needed).
    The current row is marked by shape and weight as well as colour: a bar on
    the left, bold text, a tinted background.
    """
    colour, prefix = COLOURS[step.direction], PREFIXES[step.direction]
    lines = _row_text(step, lang)
    if not step.line:
        lines = [f"<i>{escape(lines[0])}</i>"]
    else:
        lines = [escape(line) for line in lines]
    who = f"<i>{escape(step.src)}:</i> " if step.direction == "internal" else ""
    head = (f'<span style="color:{NEUTRAL}">#{step.number} {escape(step.conn or "  ")}</span> '
            f"{who}<b>{prefix}</b> {lines[0]}")
    mark = (f"background:{HIGHLIGHT};border-left:4px solid {HIGHLIGHT_EDGE};font-weight:600;"
            if current else "border-left:4px solid transparent;")
    attrs = (f'data-index="{step.index}" data-current="{str(current).lower()}" '
             f'style="{mark}color:{colour};padding:1px 4px;"')
    if len(lines) == 1:
        return f'<div class="mailsim-row" {attrs}><div style="{_ONE_LINE}">{head}</div></div>'
    more = escape(t("ui.player.folded", lang, count=len(step.line.splitlines()) - 1))
    rest = "<br>".join(f"<b>{prefix}</b> {line}" for line in lines[1:])
    return (f'<details class="mailsim-row" {attrs}><summary style="{_ONE_LINE}cursor:pointer">'
            f'{head} <span style="color:{NEUTRAL}">{more}</span></summary>'
            f'<div style="white-space:pre-wrap;padding-left:2em">{rest}</div></details>')


def transcript(steps: Sequence[Step], position: int, lang: str, window: int = 14) -> str:
    """Rows around ``steps[position]`` (``window`` before and after), the current one marked.

    A window, not the whole trace: a 1,000-step transcript re-sent on every
    step would make stepping slow in the browser.  The player shows it in a
    box of a dozen rows that keeps the current one in the middle (player_shell.js).
    """
    start = max(0, position - window)
    rows = [step_row(s, lang, i == position)
            for i, s in enumerate(steps[start:position + window + 1], start)]
    return f'<div class="mailsim-transcript" style="{_MONO}{_FILL}">' + "".join(rows) + "</div>"


def picture(data: bytes, format: str) -> str:
    """The player's picture as an ``<img class="mailsim-picture">`` (nothing without data),
    as wide as its column and at most 430 px tall (more in full screen)."""
    if not data:
        return ""
    source = f"data:image/{format};base64,{base64.b64encode(data).decode('ascii')}"
    return (f'<div style="{_FILL}"><img class="mailsim-picture" alt="" src="{source}" '
            f'style="display:block;width:100%;max-height:430px;object-fit:contain;'
            f'object-position:left top"></div>')


def heading(step: Step, lang: str) -> str:
    """``#14 · 0.260 s · c1 · pc.a.test → mail.a.test · SMTP``."""
    route = step.src if step.src == step.dst else f"{step.src} → {step.dst}"
    parts = [f"#{step.number}", t("ui.player.time", lang, time=f"{step.time:.3f}"),
             step.conn or "", route, step.protocol, t(f"common.direction.{step.direction}", lang)]
    return "<b>" + escape(" · ".join(p for p in parts if p)) + "</b>"


def state_change(step: Step, lang: str) -> str:
    """``state: MAIL → RCPT`` (or the one state, or nothing for internal steps)."""
    before, after = step.state_before, step.state_after
    if not (before or after):
        return ""
    shown = f"{before} → {after}" if before and after and before != after else before or after
    return f"<div>{escape(t('ui.player.state', lang, state=shown))}</div>"


def explanation(step: Step, lang: str) -> str:
    """The step's ru/en explanation as a paragraph (empty when it has none)."""
    if not step.explain:
        return ""
    text = citations.to_html(explain(step.explain, step.params, lang))   # RFC links
    return f"<p style='margin:4px 0'>{text}</p>"


def _queue_lines(view: ServerView, lang: str) -> list[str]:
    out = []
    for node, items in view.queues.items():
        content = ", ".join(f"{i.queue_id} ({t(i.status, lang, **dict(i.params))})"
                            for i in items) or t("ui.server.empty", lang)
        out.append(f"<li>{escape(t('ui.server.queue', lang, node=node, items=content))}</li>")
    return out


def _mailbox_lines(view: ServerView, lang: str) -> list[str]:
    return [f"<li>{escape(t('ui.server.mailbox', lang, mailbox=box, count=count))}</li>"
            for box, count in sorted(view.mailboxes.items())]


def _pop3_lines(view: ServerView, lang: str) -> list[str]:
    out = []
    for conn, s in view.pop3.items():
        key = ("ui.server.pop2_closed" if s.protocol == "POP2" else "ui.server.pop3_closed") \
            if s.closed else "ui.server.pop3"
        deleted = ", ".join(map(str, s.deleted)) or "—"
        text = t(key, lang, protocol=s.protocol, conn=conn, user=s.user, count=s.count,
                 deleted=deleted)
        out.append(f"<li>{escape(text)}</li>")
    return out


def _imap_message(message, lang: str) -> str:
    flags = (" ".join(message.flags) or t("ui.server.imap_no_flags", lang)) \
        if message.flags is not None else t("ui.server.imap_flags_unknown", lang)
    uid = f" (UID {message.uid})" if message.uid is not None else ""
    return t("ui.server.imap_message", lang, number=message.number, uid=uid, flags=flags)


def _imap_lines(view: ServerView, lang: str) -> list[str]:
    """Per IMAP connection: its selected mailbox, EXISTS and flags as the server told it."""
    out = []
    for conn, s in view.imap.items():
        who = {"conn": conn, "user": s.user or "?"}
        if s.closed:
            out.append(f"<li>{escape(t('ui.server.imap_closed', lang, **who))}</li>")
            continue
        if s.mailbox is None and s.exists is None:
            out.append(f"<li>{escape(t('ui.server.imap_none', lang, **who))}</li>")
            continue
        text = t("ui.server.imap", lang, **who, mailbox=s.mailbox or "…",
                 exists="?" if s.exists is None else s.exists,
                 uidvalidity=s.uidvalidity or "?", mode=s.mode or "…")
        rows = "".join(f"<li>{escape(_imap_message(m, lang))}</li>" for m in s.messages)
        nested = f"<ul style='margin:0'>{rows}</ul>" if rows else ""
        out.append(f"<li class='mailsim-imap' data-conn='{escape(conn)}' "
                   f"data-exists='{'' if s.exists is None else s.exists}'>"
                   f"{escape(text)}{nested}</li>")
    return out


def server_state(view: ServerView, lang: str) -> str:
    """The server-side view as a titled list; says so when the trace tells nothing yet."""
    items = (_queue_lines(view, lang) + _mailbox_lines(view, lang) + _pop3_lines(view, lang)
             + _imap_lines(view, lang))
    body = "".join(items) or f"<li>{escape(t('ui.server.nothing', lang))}</li>"
    return (f"<div class='mailsim-server'><b>{escape(t('ui.server.title', lang))}</b>"
            f"<ul style='margin:2px 0 0 0'>{body}</ul></div>")


def step_panel(step: Step, view: ServerView, lang: str) -> str:
    """Everything about the current step: heading, explanation, states, the server side."""
    return (f"<div class='mailsim-step' style='{_FILL}'>{heading(step, lang)}"
            f"{state_change(step, lang)}"
            f"{explanation(step, lang)}{server_state(view, lang)}</div>")
