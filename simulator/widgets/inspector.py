"""MailboxInspector: the mailboxes after a run — folders, messages, flags, UIDs, source, MIME.

Built from a :class:`simulator.mail.store.MailStore` (``SimulationResult.store``):
the stored data, not an engine.  Choosing an account, a folder or a message
re-renders the panel; tests set the dropdowns and read ``info.value``,
``raw.value`` and ``parts.value``.
"""
from __future__ import annotations

from html import escape

import ipywidgets as widgets

from simulator.locale import t
from simulator.mail.mime import mime_tree as parse_tree
from simulator.mail.store import Folder, MailStore, StoredMessage
from simulator.plots import mime_tree, to_svg
from simulator.plots.mime import part_label

_PRE = "font-family:var(--jp-code-font-family,monospace);font-size:12px;white-space:pre-wrap;"


def message_label(message: StoredMessage) -> str:
    """``UID 3 · \\Seen · 753 B · Привет, Bob!`` — one line of the message list."""
    flags = " ".join(sorted(message.flags)) or "—"
    return f"UID {message.uid} · {flags} · {message.size} B · {message.summary()['subject']}"


def first_with_mail(store: MailStore) -> str | None:
    """The first account with a message in any folder (else the first account, else None)."""
    accounts = list(store.accounts)
    full = [a for a in accounts if any(f.messages for f in a.folders.values())]
    return (full or accounts)[0].address if accounts else None


class MailboxInspector(widgets.VBox):
    """Accounts → folders → messages, with the raw source and the MIME tree of the chosen one."""

    def __init__(self, store: MailStore, lang: str = "ru", account: str | None = None) -> None:
        """``account``: the mailbox to open on (default: the first one holding mail)."""
        self.store, self.lang = store, lang
        self._pictures: dict[tuple, bytes] = {}
        # "bob@b.test (1)": how many messages each mailbox holds, so the choice is clear.
        addresses = [(f"{a.address} ({sum(len(f.messages) for f in a.folders.values())})",
                      a.address) for a in store.accounts]
        natural = {"description_width": "initial"}       # labels never cut
        self.account = widgets.Dropdown(options=addresses, style=natural,
                                        value=account or first_with_mail(store))
        self.folder = widgets.Dropdown(style=natural)
        self.messages = widgets.Select(rows=6, layout=widgets.Layout(width="95%"))
        self.info = widgets.HTML()
        self.raw = widgets.HTML()
        self.parts = widgets.HTML()
        self.tree = widgets.Image(format="svg+xml", layout=widgets.Layout(max_width="100%"))
        self.tabs = widgets.Tab(children=[self.raw, widgets.VBox([self.parts, self.tree])])
        self.language = widgets.ToggleButtons(options=[("RU", "ru"), ("EN", "en")], value=lang,
                                              style={"button_width": "44px"})
        super().__init__([widgets.HBox([self.account, self.folder, self.language]),
                          self.messages, self.info, self.tabs])
        self.add_class("mailsim-inspector")
        self.account.observe(lambda _: self._fill_folders(), "value")
        self.folder.observe(lambda _: self._fill_messages(), "value")
        self.messages.observe(lambda _: self.render(), "value")
        self.language.observe(lambda c: self.set_lang(c.new), "value")
        self._relabel()
        self._fill_folders()

    # -- choices ---------------------------------------------------------------------
    def _current_folder(self) -> Folder | None:
        if not self.account.value or self.folder.value is None:
            return None
        return self.store.account(self.account.value).folder(self.folder.value)

    def _fill_folders(self) -> None:
        if not self.account.value:
            self.folder.options = []
            return self._fill_messages()
        folders = self.store.account(self.account.value).folders
        self.folder.options = [(f"{name} ({len(f.messages)})", name) for name, f in
                               folders.items()]
        # INBOX, unless it is empty and another folder holds mail.
        with_mail = [name for name, f in folders.items() if f.messages]
        self.folder.value = "INBOX" if "INBOX" in with_mail or not with_mail else with_mail[0]
        self._fill_messages()

    def _fill_messages(self) -> None:
        folder = self._current_folder()
        messages = folder.messages if folder else []
        self.messages.options = [(message_label(m), m.uid) for m in messages]
        self.messages.value = messages[0].uid if messages else None
        self.render()

    def _relabel(self) -> None:
        self.account.description = t("ui.inspector.account", self.lang)
        self.folder.description = t("ui.inspector.folder", self.lang)
        self.tabs.titles = (t("ui.inspector.raw", self.lang), t("ui.inspector.parts", self.lang))

    def set_lang(self, lang: str) -> None:
        """Show every label in ``lang`` (``ru`` or ``en``)."""
        self.lang = lang
        self.language.value = lang
        self._relabel()
        self.render()

    # -- drawing ---------------------------------------------------------------------
    def render(self) -> None:
        """Show the chosen message's facts, source and MIME parts."""
        folder = self._current_folder()
        message = folder.get(self.messages.value) if folder and self.messages.value else None
        if message is None:
            self.info.value = f"<i>{escape(t('ui.inspector.no_messages', self.lang))}</i>"
            self.raw.value = self.parts.value = ""
            self.tree.layout.display = "none"
            return
        self.info.value = self._facts(folder, message)
        source = message.data.decode("utf-8", "replace")
        self.raw.value = f"<div class='mailsim-raw' style='{_PRE}'>{escape(source)}</div>"
        self.parts.value = "<ul>" + "".join(
            f"<li style='margin-left:{16 * part.depth}px'>"
            f"{escape(part_label(part, width=200).replace(chr(10), ' · '))}</li>"
            for part in parse_tree(message.data)) + "</ul>"
        self.tree.value = self._tree_png(message)
        self.tree.layout.display = ""

    def _facts(self, folder: Folder, message: StoredMessage) -> str:
        summary = message.summary()
        rows = [("uid", message.uid),
                ("flags", " ".join(sorted(message.flags)) or t("ui.inspector.no_flags",
                                                                  self.lang)),
                ("size", f"{message.size} B"), ("date", message.internal_date.isoformat()),
                ("from", summary["from"]), ("subject", summary["subject"])]
        cells = "".join(f"<tr><th style='text-align:left'>"
                        f"{escape(t(f'ui.inspector.{k}', self.lang))}</th>"
                        f"<td>{escape(str(v))}</td></tr>" for k, v in rows)
        head = t("ui.inspector.uidvalidity", self.lang, uidvalidity=folder.uidvalidity,
                 uidnext=folder.uidnext)
        return f"<div class='mailsim-message'>{escape(head)}<table>{cells}</table></div>"

    def _tree_png(self, message: StoredMessage) -> bytes:
        key = (id(message), self.lang)
        if key not in self._pictures:
            self._pictures[key] = to_svg(mime_tree(message.data, lang=self.lang))
        return self._pictures[key]
