"""ipywidgets views of traces and mail stores, testable without a browser.

Each view is built from data (a Trace, a MailStore) and keeps its parts as
attributes, so a test clicks ``player.buttons["forward"]`` or sets
``player.slider.value`` and reads ``player.transcript.value``.
"""
from .inspector import MailboxInspector
from .player import TracePlayer
from .server_view import ServerView, server_views

__all__ = ["MailboxInspector", "ServerView", "TracePlayer", "server_views"]
