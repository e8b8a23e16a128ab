"""ipywidgets views of traces and mail stores, testable without a browser.

Each view is built from data (a Trace, a MailStore) and keeps its parts as
attributes, so a test clicks ``player.buttons["forward"]`` or sets
``player.slider.value`` and reads ``player.transcript.value``; the protocol
console is typed into the same way (``console.command.value`` + ``console.send``), and a
quiz is answered by ticking ``quiz.answer`` and clicking ``quiz.check``.
"""
from .console import ProtocolConsole
from .dashboard import TeacherDashboard
from .encoding_lab import EncodingLab
from .inspector import MailboxInspector
from .player import TracePlayer
from .quiz import Quiz
from .server_view import ServerView, server_views
from .sniffer import SnifferPanel
from .tables import steps_table, table

__all__ = ["EncodingLab", "MailboxInspector", "ProtocolConsole", "Quiz", "ServerView",
           "SnifferPanel", "TeacherDashboard", "TracePlayer", "server_views", "steps_table",
           "table"]
