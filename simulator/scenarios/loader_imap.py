"""IMAP scripts in ``sessions`` (``docs/scenarios.md``): groups, IDLE and pauses.

An IMAP session's ``commands`` is a list whose items are

* a command line, with or without its tag (``"A1 NOOP"`` or ``"NOOP"``);
* a list of lines: sent together in one write, i.e. pipelined (RFC 9051 §5.5);
* ``{idle: seconds}``: IDLE (RFC 2177) for that long, then DONE;
* ``{pause: seconds}``: the user reads before the next item.

``pipeline: true`` sends every run of plain lines between IDLEs and pauses
as one group.  Each item is checked here so that a mistake names its line.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from simulator.scenarios.loader_nodes import Checker
from simulator.scenarios.model import SessionStep

STEP_KEYS = ("idle", "pause")


def imap_steps(c: Checker, items: list[Node], pipeline: bool) -> tuple[SessionStep, ...]:
    """The script's steps; a pause is folded into the step that follows it."""
    steps: list[SessionStep] = []
    pause, joinable = 0.0, False
    for number, item in enumerate(items, start=1):
        if isinstance(item, MappingNode):
            idle, waited = _timed(c, item, number)
            pause, joinable = pause + waited, False
            if idle is not None:
                steps.append(SessionStep(("IDLE",), idle=idle, pause=pause))
                pause = 0.0
            continue
        group = _group(c, item)
        plain = not isinstance(item, SequenceNode)
        # pipeline: true joins runs of plain lines, never an explicit group or an IDLE.
        if pipeline and plain and joinable and not pause:
            steps[-1] = SessionStep(steps[-1].commands + group, pause=steps[-1].pause)
        else:
            steps.append(SessionStep(group, pause=pause))
        pause, joinable = 0.0, plain
    if pause:
        steps.append(SessionStep((), pause=pause))       # reading before LOGOUT
    return tuple(steps)


def _timed(c: Checker, item: MappingNode, number: int) -> tuple[float | None, float]:
    f = c.mapping(item, "commands", f"commands #{number}", STEP_KEYS)
    if not f:
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    idle = c.get(f, "idle", "positive")
    return idle, c.get(f, "pause", "number", 0.0)


def _group(c: Checker, item: Node) -> tuple[str, ...]:
    """One line, or a list of lines sent together."""
    if isinstance(item, SequenceNode):
        lines = tuple(line(c, sub) for sub in item.value)
        if not lines:
            c.fail(item, "empty_list", key="commands")
        return lines
    return (line(c, item),)


def line(c: Checker, item: Node) -> str:
    """A single command line (the client adds CRLF and, if missing, the tag)."""
    if isinstance(item, (SequenceNode, MappingNode)):
        c.fail(item, "imap_item", key="commands", got=c.show(item))
    text = c.value(item, "commands", "text")
    if not text.strip() or "\n" in text or "\r" in text:
        c.fail(item, "command_line", key="commands", got=c.show(item))
    return text.strip()


def flat(steps: tuple[SessionStep, ...]) -> tuple[str, ...]:
    """Every command line of the script in order (IDLE included)."""
    return tuple(line for step in steps for line in step.commands)
