"""Folding ASCII trace headers (Received:) the way the stdlib does, at a fraction of its cost.

An MTA puts a Received: header on every message at every hop (RFC 5321 §4.4),
folded at 78 characters with CRLF (RFC 5322 §2.2.3).  The stdlib's compat32
folder gives the reference bytes; :func:`fold_ascii` replays its cuts.
"""
from __future__ import annotations

import email.policy

_TRACE_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=78)


#: Every character the compat32 folder treats alike: it looks only at lengths,
#: at folding white space (space, tab) and at the split characters ";" and ",".
#: A byte table: the value is ASCII, and bytes.translate maps it in one pass in C
#: (str.translate with a dict looks each character up: six times the work).
_ALIKE = bytes(c for c in range(33, 127) if chr(c) not in ";,")
_SHAPE = bytes.maketrans(_ALIKE, b"a" * len(_ALIKE))
_FOLDS: dict[tuple[str, bytes], list[tuple[int, str]]] = {}
_FOLDS_MAX = 4096


def fold_ascii(name: str, value: str) -> str:
    """``_TRACE_POLICY.fold_binary(name, value)`` as text, memoised on the value's shape.

    A Received: header is folded once per message and per hop, and the
    stdlib folder costs about as much as the rest of the SMTP transaction
    (it re-adds the line's length for every word).  Its choices depend only
    on where the white space and the split characters are and on the
    lengths, so Received: headers of one network share a shape: the cuts
    found for the shape ("aaaa aaa (aaa [aaa]) …") are replayed on the real
    value.  Values the replay cannot reproduce (leading or trailing white
    space, control characters) take the stdlib path unchanged.
    """
    shape = value.encode("ascii").translate(_SHAPE)
    key = (name, shape)
    cuts = _FOLDS.get(key)
    if cuts is None:
        text = shape.decode("ascii")
        folded = _TRACE_POLICY.fold(name, text)
        cuts = _cuts(f"{name}: {text}", folded)
        if cuts is None:
            return _TRACE_POLICY.fold(name, value)
        if len(_FOLDS) < _FOLDS_MAX:
            _FOLDS[key] = cuts
    text, out, at = f"{name}: {value}", [], 0
    for index, inserted in cuts:
        out += (text[at:index], inserted)
        at = index
    out.append(text[at:])
    return "".join(out)


def _cuts(original: str, folded: str) -> list[tuple[int, str]] | None:
    """Where ``folded`` inserts text into ``original``: [(index, text)], or None if it
    also drops or changes characters (then there is nothing to replay)."""
    cuts: list[tuple[int, str]] = []
    i = 0
    for char in folded:
        if i < len(original) and char == original[i]:
            i += 1
        elif cuts and cuts[-1][0] == i:
            cuts[-1] = (i, cuts[-1][1] + char)
        else:
            cuts.append((i, char))
    return cuts if i == len(original) and all(c.isspace() for _, c in cuts) else None
