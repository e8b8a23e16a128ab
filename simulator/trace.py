"""The Trace: every byte exchanged in a simulation, as ordered Steps.

The Trace is the contract between the simulation (engines, network, loopback
servers) and everything that presents it (terminal replay, widgets, plots,
quizzes).  Consumers read traces; they never reach into engines.

A trace serialises to a versioned JSON document (schema:
``simulator/trace_schema.json``, described in ``docs/trace-format.md``) and
loads back identically: ``Trace.from_json(t.to_json()) == t``.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 1

#: A step travels from client to server, from server to client, or is an
#: event inside one node (a DNS lookup, a delivery into a mailbox, a queue).
DIRECTIONS = ("c2s", "s2c", "internal")


@dataclass(frozen=True)
class Step:
    """One thing that happened: a command, a reply, a lookup, a delivery.

    ``raw`` holds the exact bytes on the wire (empty for internal steps that
    carry none); ``line`` is their decoded, human-readable form.  ``explain``
    is a key into the ru/en texts (``simulator.locale``) and ``params`` fills
    its placeholders.  ``meta`` carries step-specific facts that a consumer may
    show (a queue id, a mailbox count) and must stay JSON-serialisable.
    """

    index: int
    time: float
    conn: str | None
    src: str
    dst: str
    protocol: str
    direction: str
    raw: bytes
    line: str
    state_before: str | None = None
    state_after: str | None = None
    explain: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")

    @property
    def is_client(self) -> bool:
        return self.direction == "c2s"

    @property
    def is_server(self) -> bool:
        return self.direction == "s2c"

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict; bytes that are not UTF-8 go as base64."""
        data = asdict(self)
        data["params"] = dict(self.params)
        data["meta"] = dict(self.meta)
        raw = data.pop("raw")
        try:
            data["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            data["raw_b64"] = base64.b64encode(raw).decode("ascii")
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        data = dict(data)
        if "raw_b64" in data:
            raw = base64.b64decode(data.pop("raw_b64"))
        else:
            raw = data.pop("raw", "").encode("utf-8")
        return cls(raw=raw, **data)


@dataclass
class Trace:
    """An ordered list of Steps plus what produced them (scenario, seed)."""

    scenario: str = ""
    seed: int = 0
    steps: list[Step] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)   # host -> its roles
    version: int = SCHEMA_VERSION

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def add(self, **fields: Any) -> Step:
        """Append a Step, numbering it; returns the new step."""
        step = Step(index=len(self.steps), **fields)
        self.steps.append(step)
        return step

    def filter(self, *, protocol: str | None = None, conn: str | None = None,
               node: str | None = None) -> list[Step]:
        """Steps of one protocol, one connection and/or touching one node."""
        return [s for s in self.steps
                if (protocol is None or s.protocol == protocol)
                and (conn is None or s.conn == conn)
                and (node is None or node in (s.src, s.dst))]

    def connections(self) -> list[str]:
        """Connection ids in order of first appearance."""
        return list(dict.fromkeys(s.conn for s in self.steps if s.conn))

    def header(self) -> dict[str, Any]:
        """Everything but the steps: the first line of a streamed (JSON lines) trace."""
        return {"format": "mailsim-trace", "version": self.version,
                "scenario": self.scenario, "seed": self.seed, "nodes": list(self.nodes),
                "roles": {host: list(r) for host, r in self.roles.items()}}

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "steps": [s.to_dict() for s in self.steps]}

    def to_json(self, indent: int | None = 1) -> str:
        """Serialise; the same trace always gives the same text (sorted keys)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trace:
        if data.get("format") != "mailsim-trace":
            raise TraceFormatError("not a mailsim trace (the 'format' field is missing)")
        version = data.get("version")
        if version != SCHEMA_VERSION:
            raise TraceFormatError(
                f"trace format version {version!r} is not supported (expected {SCHEMA_VERSION})")
        return cls(scenario=data.get("scenario", ""), seed=data.get("seed", 0),
                   nodes=list(data.get("nodes", [])),
                   roles={h: list(r) for h, r in data.get("roles", {}).items()},
                   steps=[Step.from_dict(s) for s in data["steps"]], version=version)

    @classmethod
    def from_json(cls, text: str) -> Trace:
        """A trace from either form: one JSON document, or JSON lines (see :func:`loads`)."""
        try:
            data = loads(text)
        except json.JSONDecodeError as exc:
            raise TraceFormatError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise TraceFormatError("a trace is a JSON object")
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str) -> Trace:
        """Read a trace file (``mailsim run --trace`` or ``mailsim serve --trace``)."""
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(handle.read())

    def extend(self, steps: Iterable[Step]) -> None:
        """Append steps from elsewhere, renumbering them in this trace."""
        for step in steps:
            self.steps.append(replace(step, index=len(self.steps)))


def loads(text: str) -> Any:
    """The JSON of a trace file, in either of its two forms (docs/trace-format.md).

    - one JSON document with a ``steps`` list (``mailsim run --trace``);
    - JSON lines, as ``mailsim serve --trace`` streams it: a header object
      (the document without ``steps``) on the first line, then one step per
      line.  The result is the equivalent document.  A last line without its
      line break that does not parse is a step still being written, and is
      left out, so a notebook can read the file of a running server.

    Errors are :class:`json.JSONDecodeError` with the line number in the file.
    """
    first, newline, _ = text.lstrip().partition("\n")
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        return json.loads(text)                 # one document over several lines
    if not newline or not isinstance(head, dict) or "steps" in head:
        return json.loads(text)
    return {**head, "steps": list(_step_lines(text))}


def _step_lines(text: str) -> Iterator[Any]:
    start = len(text) - len(text.lstrip())
    start = text.index("\n", start) + 1        # past the header line
    while start < len(text):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                if end < 0:
                    return                      # a step still being written
                raise json.JSONDecodeError(exc.msg, text, start + exc.pos) from None
        start = len(text) if end < 0 else end + 1


class TraceFormatError(ValueError):
    """A trace file that cannot be read, with the reason in plain words."""
