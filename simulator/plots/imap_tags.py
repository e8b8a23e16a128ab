"""IMAP tags in a trace: which line is tagged, which colour a tag gets, which completion
came out of order.  Read from the trace's lines only (docs/architecture.md).

RFC 9051 §2.2: a client command starts with a tag; the server answers with
untagged ``*`` data, ``+`` continuation requests and finally a line that
starts with the command's tag.  §5.5: commands sent together may complete in
any order the server chooses (a NOOP may finish before a big FETCH), so a
completion whose tag is not the oldest command still waiting on its
connection *overtook* the ones before it; the sequence diagram marks it.
"""
from __future__ import annotations

from collections.abc import Iterable

from simulator.trace import Step

from ._style import TAG_PALETTE


def imap_marker(step: Step) -> tuple[str, str] | None:
    """``("tagged", tag)``, ``("untagged", "*")``, ``("continuation", "+")`` or None.

    A client line of one word (``DONE`` after IDLE, a SASL answer, literal
    data) carries no tag: it continues a command, so it is a continuation too.
    """
    if step.protocol != "IMAP" or step.direction == "internal" or not step.line:
        return None
    first = step.line.split("\n", 1)[0].rstrip("\r")     # a FETCH body may be 200 kB
    head = first.split(" ", 1)[0]
    if head == "*":
        return ("untagged", head)
    if head == "+":
        return ("continuation", head)
    if step.direction == "c2s" and " " not in first.strip():
        return ("continuation", head)
    return ("tagged", head)


def tag_colours(steps: Iterable[Step]) -> dict[tuple[str | None, str], str]:
    """(connection, tag) → colour, in order of first appearance.

    Neighbouring tags (A1, A2, A3 sent together) always differ; a colour comes
    back only after len(TAG_PALETTE) tags.  Computed on the whole trace, so a
    window or a strip of it colours a tag as the whole picture does.
    """
    colours: dict[tuple[str | None, str], str] = {}
    for step in steps:
        marker = imap_marker(step)
        if marker and marker[0] == "tagged" and (step.conn, marker[1]) not in colours:
            colours[(step.conn, marker[1])] = TAG_PALETTE[len(colours) % len(TAG_PALETTE)]
    return colours


def overtaken(steps: Iterable[Step]) -> dict[int, tuple[str, ...]]:
    """Step index of a tagged completion → the earlier tags still waiting when it came.

    Only completions that overtook something are listed (RFC 9051 §5.5).
    """
    waiting: dict[str | None, list[str]] = {}
    out: dict[int, tuple[str, ...]] = {}
    for step in steps:
        marker = imap_marker(step)
        if not marker or marker[0] != "tagged":
            continue
        tags = waiting.setdefault(step.conn, [])
        tag = marker[1]
        if step.direction == "c2s":
            tags.append(tag)
        elif tag in tags:
            before = tuple(tags[:tags.index(tag)])
            if before:
                out[step.index] = before
            tags.remove(tag)
    return out
