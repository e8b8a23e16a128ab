"""The interactive part of the terminal replay: keys move through the steps.

The decision "which key does what" is :class:`Stepper`, a pure object that
tests drive directly; reading raw keys from a terminal (``read_key``) and
redrawing the screen (``run_stepper``) are thin shells around it.
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence

from rich.console import Console, Group, RenderableType
from rich.text import Text

from simulator.locale import t
from simulator.replay import ConnectionInfo, connection_header, render_step
from simulator.trace import Step

#: Key (as the terminal sends it) -> action.  Several spellings of Home/End
#: exist because xterm, the Linux console and tmux send different sequences.
KEYMAP: dict[str, str] = {
    "\x1b[C": "next", "n": "next", " ": "next", "\r": "next", "\n": "next",
    "\x1b[D": "prev", "p": "prev", "b": "prev",
    "\x1b[H": "first", "\x1bOH": "first", "\x1b[1~": "first", "\x1b[7~": "first", "g": "first",
    "\x1b[F": "last", "\x1bOF": "last", "\x1b[4~": "last", "\x1b[8~": "last", "G": "last",
    "q": "quit", "Q": "quit", "\x03": "quit", "\x04": "quit",
}


class Stepper:
    """A position in ``count`` steps, moved by actions; it never leaves the range."""

    def __init__(self, count: int, position: int = 0) -> None:
        self.count = count
        self.position = max(0, min(position, count - 1))
        self.done = count == 0

    def next(self) -> None:
        self.position = min(self.position + 1, self.count - 1)

    def prev(self) -> None:
        self.position = max(self.position - 1, 0)

    def first(self) -> None:
        self.position = 0

    def last(self) -> None:
        self.position = max(self.count - 1, 0)

    def quit(self) -> None:
        self.done = True

    def press(self, key: str) -> bool:
        """Apply the action bound to ``key`` (unknown keys do nothing); False once quit."""
        action = KEYMAP.get(key)
        if action is not None:
            getattr(self, action)()
        return not self.done


def read_key(fd: int) -> str:
    """One key press from a terminal in cbreak mode, escape sequences whole (POSIX).

    An arrow key arrives as ESC [ C in one burst; a lone ESC has nothing after
    it, so a short wait tells the two apart.
    """
    import select
    key = os.read(fd, 1).decode("latin-1")
    if key != "\x1b":
        return key or "\x04"            # end of input counts as quit
    while select.select([fd], [], [], 0.05)[0]:
        key += os.read(fd, 1).decode("latin-1")
        if key[-1].isalpha() or key[-1] == "~":
            break
    return key


#: The Windows console's special keys: a prefix (NUL or 0xE0), then a scan code.
#: They are translated to the ANSI sequences of KEYMAP, so one table serves both.
WINDOWS_KEYS = {"M": "\x1b[C", "K": "\x1b[D", "G": "\x1b[H", "O": "\x1b[F"}


def read_key_windows(getwch: Callable[[], str]) -> str:
    """One key press from the Windows console (``msvcrt.getwch``), as KEYMAP spells it."""
    key = getwch()
    if key in ("\x00", "\xe0"):
        return WINDOWS_KEYS.get(getwch(), "")
    return key


@contextlib.contextmanager
def cbreak(fd: int) -> Iterator[None]:
    """Single keys without Enter and without echo; the terminal is restored on exit.

    POSIX only (termios); the Windows console gives single keys through msvcrt anyway.
    """
    import termios
    import tty
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def keyboard() -> Iterator[Callable[[], str]]:
    """A function that reads one key press from this terminal, on POSIX or Windows."""
    try:
        import msvcrt
    except ImportError:
        fd = sys.stdin.fileno()
        with cbreak(fd):
            yield lambda: read_key(fd)
    else:
        yield lambda: read_key_windows(msvcrt.getwch)


def step_view(steps: Sequence[Step], position: int, lang: str,
              infos: dict[str, ConnectionInfo], title: Text) -> RenderableType:
    """The screen for one position: title, where we are, the connection, the step, the keys."""
    step = steps[position]
    parts: list[RenderableType] = [
        title, Text(t("cli.replay.position", lang, position=position + 1, total=len(steps)),
                    style="dim")]
    if step.conn in infos:
        parts.append(connection_header(infos[step.conn], lang))
    parts += [render_step(step, lang), Text(""), Text(t("cli.replay.keys", lang), style="dim")]
    return Group(*parts)


def run_stepper(console: Console, steps: Sequence[Step], lang: str,
                infos: dict[str, ConnectionInfo], title: Text,
                read: Callable[[], str] | None = None) -> None:
    """Show one step at a time until the user quits."""
    stepper = Stepper(len(steps))
    if read is None:
        with keyboard() as read_terminal:
            _loop(console, stepper, steps, lang, infos, title, read_terminal)
    else:
        _loop(console, stepper, steps, lang, infos, title, read)


def _loop(console, stepper, steps, lang, infos, title, read) -> None:
    while not stepper.done:
        console.clear()
        console.print(step_view(steps, stepper.position, lang, infos, title))
        try:
            stepper.press(read())
        except KeyboardInterrupt:
            stepper.quit()
