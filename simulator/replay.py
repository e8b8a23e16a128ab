"""The terminal replay: a Trace rendered as rich text, one Step at a time.

Every function here is a pure function of a Step or a Trace that returns rich
renderables, so tests render them into a string (``render_text``) and the
interactive stepper (:mod:`simulator.replay_stepper`) only decides *which*
step to show.  Nothing here reaches into engines: the Trace is the contract.

Colours follow one rule, so a student can tell who speaks without reading:
client lines cyan with ``C:``, server lines green with ``S:``, events inside a
node (DNS lookups, queueing, deliveries) dim yellow with ``··``.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from simulator.locale import citations, explain, t
from simulator.trace import Step, Trace
from simulator.views import PREFIXES, shorten, step_text
from simulator.views import TERMINAL_STYLES as STYLES

#: A block longer than this (a DATA body, usually) is shortened in the middle.
MAX_LINES = 20


@dataclass(frozen=True)
class ConnectionInfo:
    """Who connected to whom, on which port, speaking what."""

    conn: str
    client: str
    server: str
    port: int | None
    protocol: str | None


def connections(steps: Iterable[Step]) -> dict[str, ConnectionInfo]:
    """Connection id -> its ConnectionInfo, gathered from the steps that carry it."""
    grouped: dict[str, list[Step]] = {}
    for step in steps:
        if step.conn:
            grouped.setdefault(step.conn, []).append(step)
    return {conn: _connection_info(conn, group) for conn, group in grouped.items()}


def _connection_info(conn: str, steps: list[Step]) -> ConnectionInfo:
    first = steps[0]
    # A connection opens with the client acting (a TCP connect, an internal
    # step of the client) or with the server's greeting travelling to it.
    client, server = (first.dst, first.src) if first.is_server else (first.src, first.dst)
    port = next((s.meta["port"] for s in steps if "port" in s.meta), None)
    # What the connection spoke; one that never carried a byte (an FTP data connection a
    # NAT dropped) is named by its own steps, a bare TCP attempt stays unknown.
    protocol = next((s.protocol for s in steps if s.direction != "internal"), None) or next(
        (s.protocol for s in steps if s.protocol not in ("TCP", "TLS")), None)
    return ConnectionInfo(conn, client, server, port, protocol)


def connection_header(info: ConnectionInfo, lang: str) -> RenderableType:
    """A rule announcing a new connection: ``c1: pc.a.test → mail.a.test, port 587 (SMTP)``."""
    key = "cli.replay.connection" if info.port is not None else "cli.replay.connection_noport"
    title = t(key, lang, conn=info.conn, client=info.client, server=info.server,
              port=info.port, protocol=info.protocol or "?")
    return Rule(Text(title, style="bold"), align="left", style="blue")


def step_heading(step: Step, lang: str) -> Text:
    """``#12  0.034 s  c1  pc.a.test → mail.a.test  SMTP  state: MAIL → RCPT``."""
    text = Text()
    text.append(f"#{step.number}", style="bold")
    text.append("  " + t("cli.replay.time", lang, time=f"{step.time:.3f}"), style="dim")
    if step.conn:
        text.append(f"  {step.conn}", style="blue")
    # An internal step happens in one node: "mx.b.test", not "mx.b.test → mx.b.test".
    route = step.src if step.src == step.dst else f"{step.src} → {step.dst}"
    text.append(f"  {route}  ")
    text.append(step.protocol, style="bold magenta")
    state = _state(step)
    if state:
        text.append("  " + t("cli.replay.state", lang, state=state), style="magenta")
    return text


def _state(step: Step) -> str:
    before, after = step.state_before, step.state_after
    if before and after and before != after:
        return f"{before} → {after}"
    return before or after or ""


def step_lines(step: Step, lang: str, max_lines: int | None = MAX_LINES) -> WireLines:
    """The decoded line(s), each with the speaker's prefix, long blocks shortened."""
    lines = step_text(step, lang).splitlines() or [""]
    return WireLines(shorten(lines, max_lines, lang), PREFIXES[step.direction],
                     STYLES[step.direction])


class WireLines:
    """Protocol lines with their speaker's prefix, folded by characters.

    Wire text must not be word-wrapped: a path such as
    ``<@host2,@host1:alice@a.test>`` moved whole to the next line would read
    as if the client had sent a line break.  Long lines are cut at the width
    and continue under a ``↳`` marker instead.
    """

    def __init__(self, lines: Sequence[str], prefix: str, style: str) -> None:
        self.lines, self.prefix, self.style = list(lines), prefix, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(8, options.max_width - len(self.prefix) - 1)
        for line in self.lines:
            chunks = [line[i:i + room] for i in range(0, len(line), room)] or [""]
            for number, chunk in enumerate(chunks):
                mark = self.prefix if number == 0 else "↳".rjust(len(self.prefix))
                yield Segment(mark + " ", console.get_style(f"bold {self.style}"))
                yield Segment(chunk, console.get_style(self.style))
                yield Segment.line()

    def __str__(self) -> str:
        return "\n".join(f"{self.prefix} {line}" for line in self.lines)


def explanation(step: Step, lang: str) -> Text | None:
    """The ru/en explanation of the step, or None when it has none."""
    if not step.explain:
        return None
    plain = explain(step.explain, step.params, lang)
    text = Text(plain, style="italic")
    for c in citations.find(plain):         # terminals with OSC 8 make them clickable
        text.stylize(f"link {c.url}", c.start, c.end)
    return text


def render_step(step: Step, lang: str, max_lines: int | None = MAX_LINES) -> RenderableType:
    """One step: heading, the line(s) on the wire, and the explanation under them."""
    parts: list[RenderableType] = [step_heading(step, lang),
                                   Indented(step_lines(step, lang, max_lines), 2)]
    note = explanation(step, lang)
    if note is not None:
        parts.append(Indented(note, 5))
    return Group(*parts)


class Indented:
    """A renderable shifted right by ``indent`` columns.

    Unlike rich's Padding it does not pad lines to the full width, so text
    copied from the terminal or piped into a file has no trailing spaces.
    """

    def __init__(self, renderable: RenderableType, indent: int) -> None:
        self.renderable, self.indent = renderable, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        inner = options.update_width(max(1, options.max_width - self.indent))
        for line in console.render_lines(self.renderable, inner, pad=False):
            yield Segment(" " * self.indent)
            yield from line
            yield Segment.line()


def trace_title(trace: Trace, lang: str, shown: int | None = None) -> Text:
    """``Scenario basic, seed 1: 42 steps`` (how many of them are shown, if filtered)."""
    total = len(trace)
    if shown is None or shown == total:
        text = t("cli.replay.title", lang, scenario=trace.scenario or "?", seed=trace.seed,
                 count=total)
    else:
        text = t("cli.replay.title_filtered", lang, scenario=trace.scenario or "?",
                 seed=trace.seed, shown=shown, count=total)
    return Text(text, style="bold")


def render_steps(steps: Sequence[Step], lang: str, infos: dict[str, ConnectionInfo] | None = None,
                 max_lines: int | None = MAX_LINES) -> list[RenderableType]:
    """All ``steps`` in order, with a connection header before each new connection."""
    infos = infos if infos is not None else connections(steps)
    seen: set[str] = set()
    out: list[RenderableType] = []
    for step in steps:
        if step.conn and step.conn not in seen and step.conn in infos:
            seen.add(step.conn)
            out.append(connection_header(infos[step.conn], lang))
        out.append(render_step(step, lang, max_lines))
    return out


def render_text(renderables: Iterable[RenderableType], width: int = 100) -> str:
    """Render to plain text (no colours) — for tests and for output into a pipe."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()
