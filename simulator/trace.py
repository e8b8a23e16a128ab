"""The Trace: every byte exchanged in a simulation, as ordered Steps.

The Trace is the contract between the simulation (engines, network, loopback
servers) and everything that presents it (terminal replay, widgets, plots,
quizzes).  Consumers read traces; they never reach into engines.

A trace serialises to a versioned JSON document (schema:
``simulator/trace_schema.json``, described in ``docs/trace-format.md``) and
loads back identically: ``Trace.from_json(t.to_json()) == t``.

Questions go through :meth:`Trace.exchanges`, :meth:`Trace.find` and
:meth:`Trace.filter` (see ``docs/python-api.md``)::

    trace.find(command="RCPT", code=452).reply.line    # what the server said
    [x.code for x in trace.exchanges(conn="c2")]       # every reply code of c2
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any, NamedTuple

from .trace_query import Exchange, ReplyLinker, code_matches, command_name, exchanges, reply_code

#: Version 2 added ``answers`` to reply steps (and the tag to IMAP completions);
#: version 1 traces still load, their replies linked to commands on loading.
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)

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
    ``answers`` is, for a server reply, the index of the command step it
    answers (RFC 2920 §3.1 keeps them in order; IMAP names it by its tag).
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
    answers: int | None = None

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")

    @classmethod
    def made(cls, index: int, fields: Mapping[str, Any]) -> Step:
        """``Step(index=index, **fields)`` for the recorders, which make one Step per line
        on the wire.  A frozen dataclass's ``__init__`` sets each of the fifteen fields
        with ``object.__setattr__``; filling the new instance's ``__dict__`` at once
        costs half of that, with the same checks (known fields, all required ones, a
        valid direction).
        """
        step = object.__new__(cls)
        values = step.__dict__
        values.update(_STEP_DEFAULTS, index=index)
        values.update(fields)
        if len(values) != len(_STEP_FIELDS) + 1 or not fields.keys() <= _STEP_FIELDS:
            return cls(index=index, **fields)       # the constructor names the problem
        if values["direction"] not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {values['direction']!r}")
        return step

    @property
    def number(self) -> int:
        """The step's number as people see it (rows, counters, ``player.show``): index + 1."""
        return self.index + 1

    @property
    def is_client(self) -> bool:
        return self.direction == "c2s"

    @property
    def is_server(self) -> bool:
        return self.direction == "s2c"

    @property
    def command(self) -> str | None:
        """The command a client step sends, upper-case (``RCPT``, ``UID FETCH``), else None."""
        return command_name(self)

    @property
    def code(self) -> int | str | None:
        """A reply's code: ``250`` (SMTP), ``"+OK"``/``"-ERR"`` (POP3), ``"OK"``/``"NO"``/
        ``"BAD"``/``"BYE"`` (IMAP), ``"+"`` (a continuation); None for other steps."""
        return reply_code(self)

    def explanation(self, lang: str | None = None) -> str:
        """The step's explanation in ``lang`` (``ru`` or ``en``; default: the user's)."""
        from .locale import explain
        return explain(self.explain, self.params, lang)

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict; bytes that are not UTF-8 go as base64."""
        # Field by field, in the dataclass's order: asdict() deep-copied every parameter
        # only to have it replaced by the plain copy below (``--trace`` writes each step).
        data = {name: getattr(self, name) for name in _DICT_FIELDS}
        data["params"] = dict(self.params)
        data["meta"] = dict(self.meta)
        if self.answers is not None:
            data["answers"] = self.answers      # only replies carry it
        raw = self.raw
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


#: The fields of a Step but its ``index``, and the values of those with a plain default
#: (see :meth:`Step.made`).
_STEP_FIELDS = frozenset(f.name for f in dataclass_fields(Step)) - {"index"}
_STEP_DEFAULTS = {f.name: f.default for f in dataclass_fields(Step) if f.default is not MISSING}
#: What :meth:`Step.to_dict` copies as it is, in field order (``raw`` goes last, decoded).
_DICT_FIELDS = tuple(f.name for f in dataclass_fields(Step) if f.name not in ("raw", "answers"))


class Where(NamedTuple):
    """Who talks to whom on one connection, as its steps show it: made once per
    connection (again when TLS starts) and given to every exchange recorded on it."""

    conn: str | None
    client: str
    server: str
    protocol: str
    #: what every step of the connection carries in its ``meta`` (the port, ``tls``…)
    meta: Mapping[str, Any]


def utterance_fields(utterance: Any, time: float, conn: str | None, src: str, dst: str,
                     protocol: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the Step that records ``utterance`` (a
    :class:`simulator.protocols.Utterance`), seen from the connection ``conn``."""
    return {"time": time, "conn": conn, "src": src, "dst": dst, "protocol": protocol,
            "direction": utterance.direction, "raw": utterance.raw, "line": utterance.line,
            "state_before": _state_name(utterance.state_before),
            "state_after": _state_name(utterance.state_after),
            "explain": utterance.explain, "params": dict(utterance.params), "meta": dict(meta)}


def internal_fields(event: tuple, time: float) -> dict[str, Any]:
    """The fields of the Step of something that happened inside a node (or between a
    node and DNS), as :meth:`simulator.network.recorder.Recorder.internal` reports it:
    ``event`` is ``(node, protocol, line, explain, dst, conn, params, meta)``, a plain
    tuple because a server reports a few of them for every message."""
    node, protocol, line, explain, dst, conn, params, meta = event
    return {"time": time, "conn": conn, "src": node, "dst": dst, "protocol": protocol,
            "direction": "internal", "raw": b"", "line": line, "explain": explain,
            "params": params, "meta": meta}


def exchange_fields(lines: Iterable[Any], reactions: Iterable[tuple], time: float,
                    where: Where) -> Iterator[dict[str, Any]]:
    """The fields of the Steps of one exchange on a connection, in the order
    :meth:`simulator.network.recorder.Recorder.exchange` promises: first the ``lines``
    the client sent (``c2s``), together; then ``reactions``, the events inside the
    nodes meanwhile (see :func:`internal_fields`), stamped ``time``; then the server's
    other lines in order, each from the server to the client (``s2c``) or inside the
    server (``internal``)."""
    conn, client, server, protocol, meta = where
    for utterance in lines:
        if utterance.direction == "c2s":
            yield utterance_fields(utterance, time, conn, client, server, protocol, meta)
    for event in reactions:
        yield internal_fields(event, time)
    for utterance in lines:
        if utterance.direction != "c2s":
            dst = client if utterance.direction == "s2c" else server
            yield utterance_fields(utterance, time, conn, server, dst, protocol, meta)


def _state_name(state: Any) -> str | None:
    """A state as plain text for the trace (an Utterance already holds its name)."""
    return None if state is None else str(state)


@dataclass
class Trace:
    """An ordered list of Steps plus what produced them (scenario, seed)."""

    scenario: str = ""
    seed: int = 0
    steps: list[Step] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)   # host -> its roles
    #: The moment of the steps' time 0: a simulation's scenario ``start_time`` (its Date
    #: headers count from it), when a server started, a capture's first packet; None when
    #: the trace does not say (files written before it was recorded).
    start_time: datetime | None = None
    version: int = SCHEMA_VERSION
    _linker: ReplyLinker = field(default_factory=ReplyLinker, init=False, repr=False,
                                 compare=False)
    #: The exchanges of the steps as they were last grouped (all, and by connection), with
    #: what identifies those steps.
    _grouped: tuple[tuple, list[Exchange], dict] | None = field(default=None, init=False,
                                                                repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def add(self, **fields: Any) -> Step:
        """Append a Step, numbering it; returns the new step."""
        step = self.make_step(len(self.steps), fields)
        self.steps.append(step)
        return step

    def add_internal(self, event: tuple, time: float) -> None:
        """Append the Step of an event inside a node (see :func:`internal_fields`)."""
        self.add(**internal_fields(event, time))

    def add_exchange(self, lines: list[Any], reactions: Sequence[tuple], time: float,
                     where: Where) -> None:
        """Append the Steps of one exchange on a connection (see :func:`exchange_fields`)."""
        for fields in exchange_fields(lines, reactions, time, where):
            self.add(**fields)

    def make_step(self, index: int, fields: Mapping[str, Any]) -> Step:
        """A new Step numbered ``index``; a reply gets the ``answers`` link to its command.

        Every step of the trace must pass here once, in order.
        """
        step = Step.made(index, fields)
        answers = self._linker.link(step)
        if answers is not None and "answers" not in fields:
            # The step is not in the trace yet, nobody holds it: set its link in place
            # rather than copy all fifteen fields with dataclasses.replace.
            object.__setattr__(step, "answers", answers)
        return step

    def filter(self, *, protocol: str | None = None, conn: str | None = None,
               node: str | None = None, command: str | None = None,
               code: Any = None) -> list[Step]:
        """Steps of one protocol, one connection, touching one node, of one command
        (the command and the replies to it) and/or with one reply code.

        ``code`` is a code (``452``, ``"-ERR"``, ``"NO"``), a class (``"4xx"``) or a
        list of them; a step without a code (a command, a DNS lookup) has none.
        """
        wanted = command.upper() if command is not None else None
        return [s for s in self.steps
                if (protocol is None or s.protocol == protocol)
                and (conn is None or s.conn == conn)
                and (node is None or node in (s.src, s.dst))
                and (wanted is None or (self.command_of(s) or s).command == wanted)
                and (code is None or code_matches(s.code, code))]

    def exchanges(self, *, command: str | None = None, code: Any = None,
                  conn: str | None = None, protocol: str | None = None) -> list[Exchange]:
        """Commands with their replies, in the order they were sent.

        ``command`` is a command name (``"RCPT"``, ``"UID FETCH"``, any case);
        ``code`` a reply code, class (``"5xx"``) or list, matched against every
        reply of the exchange (DATA has ``354`` and ``250``).  A greeting is an
        exchange without a command.
        """
        return [x for x in self._grouped_exchanges(conn)
                if x.matches(command=command, code=code, conn=conn, protocol=protocol)]

    def _grouped_exchanges(self, conn: str | None = None) -> list[Exchange]:
        """Every exchange (or one connection's), grouped once for the steps as they are: a
        quiz check asks ``find(conn=…)`` for each of hundreds of exchanges, and grouping
        each time made it quadratic.  The steps only grow or lose their oldest (a live
        trace), so their number and first and last step tell whether they changed."""
        steps = self.steps
        key = (len(steps), id(steps[0]) if steps else None, id(steps[-1]) if steps else None)
        if self._grouped is None or self._grouped[0] != key:
            every = list(exchanges(steps))
            by_conn: dict[str | None, list[Exchange]] = {}
            for exchange in every:
                by_conn.setdefault(exchange.conn, []).append(exchange)
            self._grouped = (key, every, by_conn)
        return self._grouped[1] if conn is None else self._grouped[2].get(conn, [])

    def find(self, *, command: str | None = None, code: Any = None,
             conn: str | None = None, protocol: str | None = None) -> Exchange | None:
        """The first exchange :meth:`exchanges` would list, or None."""
        return next(iter(self.exchanges(command=command, code=code, conn=conn,
                                        protocol=protocol)), None)

    def command_of(self, reply: Step) -> Step | None:
        """The command step a reply answers (None for a greeting or a non-reply)."""
        if reply.answers is None:
            return None
        offset = self.steps[0].index if self.steps else 0
        position = reply.answers - offset
        return self.steps[position] if 0 <= position < len(self.steps) else None

    def connections(self) -> list[str]:
        """Connection ids in order of first appearance."""
        return list(dict.fromkeys(s.conn for s in self.steps if s.conn))

    def of_connections(self, conns: Iterable[str]) -> Trace:
        """The steps of these connections only, as a trace of their own (numbered from 0,
        replies linked again): one student's part of a class's trace (``simulator.quiz.live``)."""
        wanted = set(conns)
        part = Trace(scenario=self.scenario, seed=self.seed, nodes=list(self.nodes),
                     roles={h: list(r) for h, r in self.roles.items()},
                     start_time=self.start_time)
        part.extend(s for s in self.steps if s.conn in wanted)
        return part

    def header(self) -> dict[str, Any]:
        """Everything but the steps: the first line of a streamed (JSON lines) trace."""
        header = {"format": "mailsim-trace", "version": self.version,
                  "scenario": self.scenario, "seed": self.seed, "nodes": list(self.nodes),
                  "roles": {host: list(r) for host, r in self.roles.items()}}
        if self.start_time is not None:
            header["start_time"] = self.start_time.isoformat()
        return header

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
        if version not in READABLE_VERSIONS:
            raise TraceFormatError(
                f"trace format version {version!r} is not supported (expected "
                f"{' or '.join(map(str, READABLE_VERSIONS))})")
        trace = cls(scenario=data.get("scenario", ""), seed=data.get("seed", 0),
                    nodes=list(data.get("nodes", [])),
                    roles={h: list(r) for h, r in data.get("roles", {}).items()},
                    start_time=_start_time(data.get("start_time")), version=SCHEMA_VERSION)
        for step in (Step.from_dict(s) for s in data["steps"]):
            fields = {k: v for k, v in step.__dict__.items() if k != "index"}
            if version == 1:
                fields.pop("answers", None)      # linked here, as a new trace would be
            trace.steps.append(trace.make_step(step.index, fields))
        return trace

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

    def to_pcap(self, path: str | None = None, *,
                addresses: Mapping[str, str] | None = None) -> bytes:
        """The trace as a pcap file for Wireshark and tshark; written to ``path`` if given.

        Each node gets one IPv4 address (``addresses``: host → address, e.g. a
        simulation's ``result.addresses`` from its zones), each connection a TCP
        handshake, exactly numbered segments (RFC 9293 §3.4) and FIN; DNS lookups
        are DNS packets, TLS is opaque records (see :mod:`simulator.wire`).  Packets
        are stamped ``start_time`` plus the steps' seconds.
        """
        from .wire.pcap_export import to_pcap
        data = to_pcap(self, addresses)
        if path is not None:
            with open(path, "wb") as out:
                out.write(data)
        return data

    def extend(self, steps: Iterable[Step]) -> None:
        """Append steps from elsewhere, renumbering them (and their links) in this trace."""
        for step in steps:
            fields = {k: v for k, v in step.__dict__.items() if k not in ("index", "answers")}
            self.steps.append(self.make_step(len(self.steps), fields))


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


def _start_time(value: Any) -> datetime | None:
    """The header's ``start_time`` (ISO 8601 with its UTC offset), None when absent."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise TraceFormatError(f"start_time {value!r} is not an ISO 8601 date and time") \
            from None
    if moment.tzinfo is None:
        raise TraceFormatError(f"start_time {value!r} has no UTC offset")
    return moment
