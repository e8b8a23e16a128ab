"""Cloze transcripts: blanks written ``{1:___}``, or cut out of a real trace.

``blank: {command: RCPT, part: code}`` finds the exchange with
:meth:`simulator.trace.Trace.find`'s query (the ``nth`` one, with ``code`` if
given), shows its connection up to that exchange as a ``C:``/``S:``
transcript, and replaces one part of it with a blank whose answer is what the
trace says there:

* ``code`` — the final reply's code (``550``, ``-ERR``, ``NO``);
* ``reply`` — the final reply's text after the code;
* ``command`` — the command's name (after the tag in IMAP);
* ``argument`` — the command line after its name.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from simulator.trace import Trace

BLANK = re.compile(r"\{([1-9][0-9]*):_+\}")


def blanks_in(transcript: str) -> list[str]:
    """The blank numbers of a transcript in order of first appearance, as strings."""
    return list(dict.fromkeys(BLANK.findall(transcript)))


class ClozeError(LookupError):
    """The trace has no exchange a ``blank:`` asks for (the bank or its scenario is wrong)."""


def _exchange(trace: Trace, spec: Mapping[str, Any]):
    found = trace.exchanges(command=spec["command"], code=spec.get("code"))
    nth = spec.get("nth", 1)
    if len(found) < nth:
        raise ClozeError(f"no exchange {spec['command']} "
                         f"{spec.get('code', '')} #{nth} in the trace".replace("  ", " "))
    return found[nth - 1]


def _split(line: str, protocol: str, leading: bool) -> tuple[str, str, str]:
    """``(before, word, after)``: the first word of a line (after an IMAP tag)."""
    words = line.split(" ")
    skip = 1 if protocol == "IMAP" and len(words) > 1 and leading else 0
    if protocol == "SMTP" and not leading and re.match(r"^\d{3}[ -]", line):
        return "", line[:3], line[3:]
    before = " ".join(words[:skip]) + (" " if skip else "")
    return before, words[skip] if len(words) > skip else "", \
        (" " + " ".join(words[skip + 1:])) if len(words) > skip + 1 else ""


def _blank_line(line: str, protocol: str, part: str, number: int) -> tuple[str, str]:
    """The line with ``part`` replaced by blank ``number``, and the answer it held."""
    gap = f"{{{number}:___}}"
    is_reply = part in ("code", "reply")
    before, word, after = _split(line, protocol, leading=not is_reply or protocol == "IMAP")
    if part in ("code", "command"):
        return before + gap + after, word
    rest = after[1:] if after.startswith((" ", "-")) else after
    sep = after[:1] if after[:1] in (" ", "-") else " "
    return before + word + sep + gap, rest


def cut_blanks(trace: Trace, specs: Sequence[Mapping[str, Any]]
               ) -> tuple[str, dict[str, list[str]]]:
    """The transcript of the first blank's connection with every blank cut out, and
    ``{"1": [answer], …}``."""
    targets = [_exchange(trace, spec) for spec in specs]
    conn = targets[0].conn
    last = max(x.steps[-1].index for x in targets if x.conn == conn)
    steps = [s for s in trace.filter(conn=conn) if s.direction != "internal"
             and s.index <= last]
    lines = {s.index: s.line for s in steps}
    answers: dict[str, list[str]] = {}
    for number, (spec, exchange) in enumerate(zip(specs, targets, strict=True), start=1):
        step = exchange.reply if spec["part"] in ("code", "reply") else exchange.command
        if step is None or step.index not in lines:
            raise ClozeError(f"the {spec['part']} of {spec['command']} is not in the "
                             f"transcript of {conn}")
        lines[step.index], answer = _blank_line(lines[step.index], step.protocol,
                                                spec["part"], number)
        answers[str(number)] = [answer]
    text = "\n".join(f"{'C' if s.direction == 'c2s' else 'S'}: {row}"
                     for s in steps for row in lines[s.index].split("\n"))
    return text, answers
