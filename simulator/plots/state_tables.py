"""The engines' state tables as nodes and edges, for the state-diagram plot.

The state-diagram plot is drawn from the same table that the engine enforces
(docs/architecture.md, "The engine contract").  This adapter only *reads* each protocol's ``states`` module
(plain data, no engine is started) and turns it into one shape:
:class:`StateTable` — states, the initial state and ``(from, to, label)``
edges.  Nothing is copied by hand, so a change to a table changes the picture.
A new protocol (IMAP) registers one function in :data:`_BUILDERS`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from simulator.protocols.ftp import states as ftp
from simulator.protocols.http import states as http
from simulator.protocols.imap import states as imap
from simulator.protocols.pop2 import states as pop2
from simulator.protocols.pop3 import states as pop3
from simulator.protocols.smtp import states as smtp


@dataclass(frozen=True)
class Edge:
    """One transition: ``label`` (a command or another input) moves ``source`` to ``target``.

    ``automatic`` edges are taken by the engine on its own (POP3's UPDATE →
    CLOSED once the reply is sent); the picture draws them dashed.
    """

    source: str
    target: str
    label: str
    automatic: bool = False


@dataclass(frozen=True)
class StateTable:
    """A protocol's state machine as data for drawing."""

    protocol: str
    states: tuple[str, ...]
    initial: str
    edges: tuple[Edge, ...]
    #: Command -> the engine's configuration switch it needs (POP3: LAST, STLS).
    switches: Mapping[str, str] = field(default_factory=dict)

    @property
    def historical(self) -> frozenset[str]:
        """Commands of an obsolete RFC that only a historical mode accepts (POP3's LAST)."""
        return frozenset(c for c, switch in self.switches.items() if switch == "historical")

    def pairs(self) -> set[tuple[str, str]]:
        """The distinct (from, to) pairs: one arrow each in the picture."""
        return {(e.source, e.target) for e in self.edges}

    def labels(self, source: str, target: str) -> list[str]:
        """Every label on the arrow ``source`` → ``target``, in table order."""
        return [e.label for e in self.edges if (e.source, e.target) == (source, target)]


def _value(state: str) -> str:
    return str(state)          # a StrEnum member's str() is its value


def _smtp_server() -> StateTable:
    """RFC 5321 §4.1.4 as the SMTP server engine enforces it (``TRANSITIONS``)."""
    edges = tuple(Edge(_value(s), _value(t), verb)
                  for s, row in smtp.TRANSITIONS.items() for verb, t in row.items())
    return StateTable("SMTP", tuple(_value(s) for s in smtp.State), "INIT", edges)


def _smtp_client() -> StateTable:
    """The SMTP client: each state is the reply it awaits (``CLIENT_TRANSITIONS``)."""
    edges = tuple(Edge(_value(s), _value(t), outcome)
                  for s, row in smtp.CLIENT_TRANSITIONS.items() for outcome, t in row.items())
    return StateTable("SMTP client", tuple(_value(s) for s in smtp.ClientState),
                      "GREETING", edges)


def _pop_table(protocol: str, module, automatic=(),
               switches: Mapping[str, str] | None = None) -> StateTable:
    """POP3 / POP2 ``TABLE``: a command's edge is where it leads after a positive reply."""
    edges = [Edge(s, tr.on_ok, verb) for s, row in module.TABLE.items()
             for verb, tr in row.items()]
    edges += [Edge(s, t, why, automatic=True) for s, t, why in automatic]
    return StateTable(protocol, tuple(module.STATES), module.STATES[0], tuple(edges),
                      dict(switches or {}))


def _imap() -> StateTable:
    """RFC 9051 §3 as the IMAP engine's ``TABLE``: each command's edge after a tagged OK.

    DONE leads to the pseudo-state PREVIOUS (back to where IDLE began); the
    table's AUTOMATIC moves name the two real targets, so PREVIOUS is not drawn.
    """
    edges = [Edge(s, tr.on_ok, verb) for s, row in imap.TABLE.items()
             for verb, tr in row.items() if tr.on_ok != imap.PREVIOUS]
    edges += [Edge(s, t, why, automatic=True) for s, t, why in imap.AUTOMATIC]
    return StateTable("IMAP", tuple(imap.STATES), imap.NOT_AUTHENTICATED, tuple(edges))


def _http() -> StateTable:
    """RFC 9112 §9 as the HTTP server engine's ``TABLE``: a whole request keeps the
    connection (IDLE) or ends it (CLOSED); reading a body and waiting for the site are
    the engine's own moves."""
    edges = [Edge(s, t, label) for s, t, label in http.edges()]
    edges += [Edge(s, t, why, automatic=True) for s, t, why in http.AUTOMATIC]
    return StateTable("HTTP", tuple(http.STATES), http.IDLE, tuple(edges))


_BUILDERS: dict[str, Callable[[], StateTable]] = {
    "SMTP": _smtp_server,
    "SMTP client": _smtp_client,
    "POP3": lambda: _pop_table("POP3", pop3, pop3.AUTOMATIC, pop3.OPTIONAL),
    "POP2": lambda: _pop_table("POP2", pop2),
    "IMAP": _imap,
    "HTTP": _http,
    "FTP": lambda: _pop_table("FTP", ftp, ftp.AUTOMATIC),
}

PROTOCOLS = tuple(_BUILDERS)


def state_table(protocol: str) -> StateTable:
    """The :class:`StateTable` of ``protocol`` (one of :data:`PROTOCOLS`, case-insensitive)."""
    for name, build in _BUILDERS.items():
        if name.lower() == protocol.lower():
            return build()
    raise ValueError(f"no state table for {protocol!r}; known: {', '.join(PROTOCOLS)}")


def commands(protocol: str, state: str) -> list[str]:
    """The commands the engine accepts in ``state``, in table order.

    The drawn edges leave out IMAP's DONE (it returns to the pseudo-state
    PREVIOUS), so IDLE's only command is read from the engine's table here.
    """
    if protocol.upper() == "IMAP" and state in imap.TABLE:
        return list(imap.TABLE[state])
    table = state_table(protocol)
    return list(dict.fromkeys(e.label for e in table.edges
                              if e.source == state and not e.automatic))


def accepted(protocol: str, state: str,
             offers: Callable[[str], bool] = lambda command: True) -> list[str]:
    """The commands an engine accepts in ``state``; ``offers`` says whether a command
    behind a switch is on for it (``POP3Config.offers``).

    A command behind a switch that is off (POP3's LAST outside the historical
    mode, STLS without TLS) is answered -ERR, so it is left out.
    """
    switches = state_table(protocol).switches
    return [c for c in commands(protocol, state) if c not in switches or offers(c)]


def has_table(protocol: str) -> bool:
    """Whether a state diagram can be drawn for ``protocol``."""
    return any(name.lower() == protocol.lower() for name in _BUILDERS)
