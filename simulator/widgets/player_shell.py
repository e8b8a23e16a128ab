"""The player's browser side: a full-screen button, ←/→ keys and a transcript that follows.

ipywidgets has no keyboard events and cannot scroll an element, so a small
anywidget (``player_shell.js``) does exactly that and nothing more: it makes
the player focusable, sends ``{"move": "forward"}`` (``back``, ``first``,
``last``) for →, ←, Home and End while the player has the focus, keeps the
current transcript row in the middle of its window, and toggles full screen
(the Fullscreen API needs the click of a real button).  Python does the stepping.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

MOVES = ("forward", "back", "first", "last")


class PlayerShell(anywidget.AnyWidget):
    """The full-screen button; ``on_move(callback)`` receives the keys' moves."""

    _esm = Path(__file__).with_name("player_shell.js")
    label = traitlets.Unicode("").tag(sync=True)     # the button's tooltip, in the language

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._callbacks: list[Callable[[str], None]] = []
        self.on_msg(self._message)

    def on_move(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(move)`` when a key asks the player to move."""
        self._callbacks.append(callback)

    def _message(self, _widget, content, _buffers) -> None:
        move = content.get("move") if isinstance(content, dict) else None
        if move in MOVES:                  # anything else from the page is ignored
            for callback in self._callbacks:
                callback(move)
