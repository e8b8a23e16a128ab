"""The command line on Windows: no POSIX-only API on any path a student takes.

These tests run on Linux, so they put Windows' answers in place of the POSIX
ones: an event loop without ``add_signal_handler`` (Windows' loops raise
NotImplementedError) and a console read through ``msvcrt.getwch`` with no
``termios``.  What a user would notice: Ctrl-C still stops ``mailsim serve``,
and the arrow keys still move ``mailsim replay``.
"""
from __future__ import annotations

import io
import signal
import sys
import types

from rich.console import Console

from simulator.replay import connections
from simulator.replay_stepper import read_key_windows, run_stepper
from simulator.server.cli_serve import on_stop_signals
from simulator.trace import Trace


class WindowsLikeLoop:
    """The two loop methods on_stop_signals uses, as a Windows event loop has them."""

    def __init__(self) -> None:
        self.scheduled = []

    def add_signal_handler(self, signum, callback):
        raise NotImplementedError

    def call_soon_threadsafe(self, callback, *args):
        self.scheduled.append(callback)


def test_ctrl_c_stops_serve_where_the_loop_has_no_signal_handlers():
    loop, stopped = WindowsLikeLoop(), []
    before = signal.getsignal(signal.SIGINT)
    restore = on_stop_signals(loop, lambda: stopped.append(True))
    try:
        signal.raise_signal(signal.SIGINT)        # what Ctrl-C delivers
        for callback in loop.scheduled:           # the loop's next turn
            callback()
    finally:
        restore()
    assert stopped == [True]
    assert signal.getsignal(signal.SIGINT) is before      # the handler is put back


def test_the_windows_console_keys_move_the_replay(monkeypatch):
    """Arrow keys arrive as a prefix and a scan code; q quits; no termios is touched."""
    trace = Trace(scenario="hand", seed=1)
    for n in range(3):
        trace.add(time=float(n), conn="c1", src="pc", dst="mail", protocol="SMTP",
                  direction="c2s", raw=b"NOOP\r\n", line="NOOP", explain="cli.replay.state",
                  params={"state": "READY"})
    keys = iter(["\xe0", "M", "\xe0", "M", "\x00", "K", "\xe0", "O", "q"])
    monkeypatch.setitem(sys.modules, "msvcrt", types.SimpleNamespace(getwch=lambda: next(keys)))
    monkeypatch.setitem(sys.modules, "termios", None)     # import termios fails, as on Windows
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    run_stepper(console, list(trace), "en", connections(trace), "T")
    shown = [line for line in buffer.getvalue().splitlines() if line.startswith("step ")]
    assert shown == ["step 1 of 3", "step 2 of 3", "step 3 of 3", "step 2 of 3", "step 3 of 3"]


def test_unknown_windows_special_keys_do_nothing():
    keys = iter(["\x00", ";"])                    # F1
    assert read_key_windows(lambda: next(keys)) == ""


def test_maildir_names_on_windows_have_no_colon(tmp_path, monkeypatch):
    """NTFS forbids ":" in a file name: the info separator is "!" there, as mailbox's is."""
    from simulator.mail import maildir_store
    monkeypatch.setattr(maildir_store, "INFO_SEP", "!")
    store = maildir_store.MaildirStore(tmp_path)
    store.add_user("bob@b.test", "pw")
    store.deliver("bob@b.test", b"Subject: hi\r\n\r\nbody\r\n")
    store.account("bob@b.test").inbox.messages[0].flags = {"\\Seen", "\\Flagged"}
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in names if ":" in n] and any(n.endswith("!2,FS") for n in names)
    again = maildir_store.MaildirStore(tmp_path)
    again.add_user("bob@b.test", "pw")
    assert again.account("bob@b.test").inbox.messages[0].flags == {"\\Seen", "\\Flagged"}
