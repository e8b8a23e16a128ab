"""SnifferPanel: what a passive observer captures of a connection, beside the player.

A view of :func:`simulator.wire.sniffer.sniff` (the same flows and TLS records as
the pcap export).  Clear text is shown as captured with every password or APOP
digest marked; after TLS starts only the records are listed, with their sizes.
Given a :class:`~simulator.widgets.TracePlayer`, the panel follows it: the
connection of the current step is selected and the write carrying it marked.
"""
from __future__ import annotations

from html import escape

import ipywidgets as widgets

from simulator.locale import t
from simulator.trace import Trace
from simulator.views import COLOURS, HIGHLIGHT, OKABE_ITO
from simulator.wire.sniffer import Capture, SnifferView, sniff

_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
_MARK = f"background:{OKABE_ITO['vermillion']};color:white;font-weight:bold;"
MAX_LINES = 8                 # a letter (RETR, DATA) is cut after this many lines
_RECORD_NAMES = {"change_cipher_spec": "ChangeCipherSpec", "application_data": "ApplicationData"}


class SnifferPanel(widgets.VBox):
    """``SnifferPanel(trace, lang="ru", player=None)``: pick a connection, read what
    an eavesdropper reads.  ``views`` holds the :class:`SnifferView` of each connection;
    ``summary`` and ``captures`` are the HTML shown (tests read them)."""

    def __init__(self, trace: Trace, lang: str = "ru", player=None) -> None:
        self.trace, self.lang, self.player = trace, lang, player
        self.views: dict[str, SnifferView] = {v.conn: v for v in sniff(trace)}
        self.current_step: int | None = None
        self.title = widgets.HTML()
        self.choice = widgets.Dropdown(style={"description_width": "initial"},
                                       layout=widgets.Layout(width="auto", max_width="100%"))
        self.summary = widgets.HTML()
        self.captures = widgets.HTML(layout=widgets.Layout(max_height="320px", overflow="auto"))
        self.captures.add_class("mailsim-sniffer")
        super().__init__([self.title, self.choice, self.summary, self.captures],
                         layout=widgets.Layout(flex="1 1 360px", min_width="0"))
        self.add_class("mailsim-sniffer-panel")
        self._relabel()
        self.choice.observe(lambda _: self.render(), "value")
        if player is not None:
            player.slider.observe(lambda _: self.follow(), "value")
            player.language.observe(lambda c: self.set_lang(c.new), "value")
            self.follow()
        else:
            self.render()

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._relabel()

    def follow(self) -> None:
        """Show the connection of the player's current step, marking its write."""
        step = self.player.step if self.player is not None else None
        self.current_step = step.index if step is not None else None
        if step is not None and step.conn in self.views and self.choice.value != step.conn:
            self.choice.value = step.conn           # renders
        else:
            self.render()

    def _relabel(self) -> None:
        self.title.value = f"<b>{escape(t('ui.sniffer.title', self.lang))}</b>"
        self.choice.description = t("ui.sniffer.connection", self.lang)
        value = self.choice.value
        self.choice.options = [(t("ui.sniffer.choose", self.lang, conn=v.conn, client=v.client,
                                  server=v.server, port=v.port, protocol=v.protocol or ""),
                                v.conn) for v in self.views.values()]
        if value in self.views:
            self.choice.value = value
        self.render()

    def render(self) -> None:
        view = self.views.get(self.choice.value)
        if view is None:
            self.summary.value = escape(t("ui.sniffer.none", self.lang))
            self.captures.value = ""
            return
        self.summary.value = summary_html(view, self.lang)
        self.captures.value = captures_html(view, self.lang, self.current_step)


def summary_html(view: SnifferView, lang: str) -> str:
    """The verdict: the mode, the SNI, every secret found, octets readable and hidden."""
    lines = [t(f"ui.sniffer.mode.{view.mode}", lang)]
    if view.sni:
        lines.append(t("ui.sniffer.sni", lang, name=view.sni))
    for s in view.secrets:
        if s.kind == "password":
            lines.append(t("ui.sniffer.password", lang, user=s.user or "?", how=s.how,
                           password=s.value))
        else:
            lines.append(t("ui.sniffer.apop", lang, user=s.user or "?", digest=s.value,
                           timestamp=s.timestamp or "?"))
    if not view.secrets:
        lines.append(t("ui.sniffer.nothing", lang))
    lines.append(t("ui.sniffer.readable", lang, count=len(view.readable())) + "; "
                 + t("ui.sniffer.hidden", lang, count=view.hidden_octets))
    return "<br>".join(escape(line) for line in lines)


def captures_html(view: SnifferView, lang: str, current: int | None = None) -> str:
    """One row per write: the octets as captured (secrets marked) or the TLS records."""
    rows = [_row(c, view, lang, current in c.steps) for c in view.captures]
    return f"<div style='{_MONO}line-height:1.4'>{''.join(rows)}</div>"


def _row(capture: Capture, view: SnifferView, lang: str, current: bool) -> str:
    colour = COLOURS.get(capture.direction, "black")
    arrow = "→" if capture.direction == "c2s" else "←"
    background = f"background:{HIGHLIGHT};" if current else ""
    head = (f"<span style='color:#607d8b'>{capture.time:.3f}</span> "
            f"<b style='color:{colour}'>{arrow}</b> ")
    if capture.readable:
        body = f"<span style='white-space:pre-wrap'>{_marked(capture)}</span>"
    elif capture.handshake:
        names = [_record_name(kind, capture.direction, view, lang)
                 for kind, _length in capture.records]
        body = escape(t("ui.sniffer.handshake", lang, records=", ".join(names))
                      + f" ({capture.size})")
    else:
        body = escape(t("ui.sniffer.data", lang, count=len(capture.records), octets=capture.size))
    return (f"<div style='{background}border-bottom:1px solid #eee;padding:1px 2px'>"
            f"{head}{body}</div>")


def _record_name(kind: str, direction: str, view: SnifferView, lang: str) -> str:
    """A handshake record is the ClientHello (with the SNI) or the ServerHello (RFC 8446 §4.1)."""
    if kind != "handshake":
        return _RECORD_NAMES.get(kind, kind)
    if direction == "c2s":
        return t("ui.sniffer.client_hello", lang, name=view.sni)
    return "ServerHello"


def _marked(capture: Capture) -> str:
    """The captured text, escaped, with each secret's octets marked; long texts cut."""
    data, out, at = capture.data, [], 0
    for secret in sorted(capture.secrets, key=lambda s: s.start):
        out.append(escape(data[at:secret.start].decode("utf-8", "replace")))
        out.append(f"<mark style='{_MARK}'>"
                   f"{escape(data[secret.start:secret.end].decode('utf-8', 'replace'))}</mark>")
        at = secret.end
    out.append(escape(data[at:].decode("utf-8", "replace")))
    lines = "".join(out).replace("\r\n", "\n").rstrip("\n").split("\n")
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES - 1] + [f"… (+{len(lines) - MAX_LINES + 1})"]
    return "\n".join(lines)
