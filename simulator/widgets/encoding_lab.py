"""EncodingLab: type Russian text, pick a charset and a transfer encoding, see every octet,
the MIME part on the wire, and what a program shows when it reads the octets in the
wrong charset.

All facts come from :mod:`simulator.mail.charsets` (Python's codecs, the stdlib
``email`` package, charset-normalizer); this module only lays them out.  Tests
set ``lab.text.value`` / ``lab.written_in.value`` / ``lab.read_as.value`` and
read ``lab.octets.value``, ``lab.wire.value``, ``lab.misread.value``.
"""
from __future__ import annotations

from html import escape

import ipywidgets as widgets

from simulator.locale import t
from simulator.mail import charsets as cs

_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
_CELL = "display:inline-block;margin:0 3px 4px 0;padding:1px 3px;border:1px solid #ccc;"
#: characters shown one by one; a longer text is summarised after them.
_MAX_CELLS = 60


def octet_cells(text: str, charset: cs.Charset) -> tuple[str, int, int]:
    """HTML: each character over its octets in hex; the total octets and the characters
    that cannot be written in ``charset`` at all (shown as ✗)."""
    cells, total, missing = [], 0, 0
    for ch in text[:_MAX_CELLS]:
        try:
            data = ch.encode(charset.codec)
            hexes, total = data.hex(" ").upper(), total + len(data)
        except UnicodeEncodeError:
            hexes, missing = "✗", missing + 1
        # ␣ (U+2423), not ␠ (U+2420): common fonts (DejaVu) have it, so no empty box shows
        shown = "␣" if ch == " " else "↵" if ch == "\n" else ch
        cells.append(f'<span style="{_CELL}text-align:center"><b>{escape(shown)}</b>'
                     f"<br>{hexes}</span>")
    for ch in text[_MAX_CELLS:]:
        try:
            total += len(ch.encode(charset.codec))
        except UnicodeEncodeError:
            missing += 1
    return "".join(cells), total, missing


class EncodingLab(widgets.VBox):
    """The same letters as octets in six Cyrillic charsets (RFC 2046 §4.1.2, RFC 3629 §3)."""

    def __init__(self, text: str = "Привет, мир!", lang: str = "ru", *,
                 written_in: str = "UTF-8", read_as: str = "windows-1251",
                 transfer: str = "base64") -> None:
        self.lang = lang
        names = [c.name for c in cs.CYRILLIC]
        self.text = widgets.Textarea(value=text, rows=2, layout=widgets.Layout(width="98%"))
        natural = {"description_width": "initial"}
        self.written_in = widgets.Dropdown(options=names, value=cs.charset(written_in).name,
                                           style=natural)
        self.transfer = widgets.Dropdown(options=list(cs.TRANSFER_ENCODINGS), value=transfer,
                                         style=natural)
        self.read_as = widgets.Dropdown(options=names, value=cs.charset(read_as).name,
                                        style=natural)
        self.language = widgets.ToggleButtons(options=[("RU", "ru"), ("EN", "en")], value=lang,
                                              style={"button_width": "44px"})
        self.title = widgets.HTML()
        self.octets, self.wire = widgets.HTML(), widgets.HTML()
        self.misread, self.detected = widgets.HTML(), widgets.HTML()
        controls = widgets.HBox([self.written_in, self.transfer, self.read_as, self.language],
                                layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([self.title, self.text, controls, self.octets, self.wire,
                          self.misread, self.detected])
        self.add_class("mailsim-encoding-lab")
        # Names for the browser test (and for a teacher's CSS): which panel is which.
        for panel, name in ((self.text, "text"), (self.written_in, "written-in"),
                            (self.transfer, "transfer"), (self.read_as, "read-as"),
                            (self.octets, "octets"), (self.wire, "wire"),
                            (self.misread, "misread"), (self.detected, "detected")):
            panel.add_class(f"mailsim-encoding-{name}")
        for control in (self.text, self.written_in, self.transfer, self.read_as):
            control.observe(lambda _: self.render(), "value")
        self.language.observe(lambda c: self.set_lang(c.new), "value")
        self.set_lang(lang)

    def set_lang(self, lang: str) -> None:
        """Relabel everything in ``lang`` (ru or en)."""
        self.lang = lang
        if self.language.value != lang:
            self.language.value = lang
        self.title.value = f"<b>{escape(t('encoding.lab.title', lang))}</b>"
        self.text.description = t("encoding.lab.text", lang)
        self.written_in.description = t("encoding.lab.written_in", lang)
        self.transfer.description = t("encoding.lab.transfer", lang)
        self.read_as.description = t("encoding.lab.read_as", lang)
        self.render()

    # -- the four panels ------------------------------------------------------------
    def render(self) -> None:
        written = cs.charset(self.written_in.value)
        self.octets.value = self._octets(written)
        self.wire.value = self._wire(written)
        self.misread.value = self._misread(written, cs.charset(self.read_as.value))
        self.detected.value = self._detect(written)

    def _octets(self, written: cs.Charset) -> str:
        lang, text = self.lang, self.text.value
        cells, total, missing = octet_cells(text, written)
        head = t("encoding.lab.octets", lang, count=total, charset=written.name)
        notes = [escape(t(written.note, lang))]
        if missing:
            notes.append(escape(t("encoding.lab.not_encodable", lang, count=missing,
                                  charset=written.name)))
        if written.name == "UTF-8":
            summary = cs.utf8_summary(text)
            notes.append(escape(t("encoding.lab.utf8_summary", lang, one=summary[1],
                                  two=summary[2], three=summary[3], four=summary[4])))
        return (f"<b>{escape(head)}</b><div style='{_MONO}'>{cells}</div>"
                f"<div>{'<br>'.join(notes)}</div>")

    def _encodable(self, written: cs.Charset) -> str:
        return self.text.value.encode(written.codec, errors="replace").decode(written.codec)

    def _wire(self, written: cs.Charset) -> str:
        part = cs.text_part(self._encodable(written), written.name, self.transfer.value)
        shown = escape(part.decode("ascii", errors="replace").replace("\r\n", "\n"))
        return (f"<b>{escape(t('encoding.lab.wire', self.lang))}</b>"
                f"<pre style='{_MONO}margin:2px 0'>{shown}</pre>"
                f"<i>{escape(t('encoding.lab.wire_note', self.lang))}</i>")

    def _misread(self, written: cs.Charset, read_as: cs.Charset) -> str:
        lang = self.lang
        head = t("encoding.lab.misread", lang, charset=read_as.name)
        text = self._encodable(written)
        if written == read_as:
            shown, verdict = text, t("encoding.lab.same", lang)
        else:
            cell = cs.misread(text, written, read_as)
            shown = cell.garbled
            verdict = (t("encoding.lab.repairable", lang, charset=written.name)
                       if cell.repairable else
                       t("encoding.lab.lossy", lang, count=cell.lost, charset=read_as.name))
        return (f"<b>{escape(head)}</b><div style='{_MONO}font-size:15px'>"
                f"{escape(cs.visible(shown))}</div><i>{escape(verdict)}</i>")

    def _detect(self, written: cs.Charset) -> str:
        lang = self.lang
        data = self._encodable(written).encode(written.codec)
        free, among = cs.detect(data), cs.detect(data, among=cs.CYRILLIC)
        lines = [t("encoding.lab.detect_any", lang, charset=free.charset, chaos=free.chaos,
                   coherence=free.coherence) if free else t("encoding.lab.detect_none", lang)]
        if among:
            lines.append(t("encoding.lab.detect_cyrillic", lang, charset=among.charset))
        lines.append(t("encoding.lab.detect_note", lang))
        return (f"<b>{escape(t('encoding.lab.detect', lang))}</b><br>"
                + "<br>".join(escape(line) for line in lines))
