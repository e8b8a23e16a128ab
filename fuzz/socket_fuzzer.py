"""``make fuzz``: a bounded fuzzer against ``mailsim serve`` on every port (issue 16, Build 2).

It starts ``mailsim serve`` as a child process (its log in a file), then for
each port runs a few clients in parallel, each a series of sessions: a
random walk over the protocol's grammar (:mod:`.grammar`), mutated
(:mod:`.mutate`), split into random TCP writes, STARTTLS taken when the
server says yes, TLS ports reached through :mod:`ssl`; FTP's transfers get
their data connections (:class:`DataConnections`: passive and active), the
webmail's HTTP whole requests.  Every reply is checked (:mod:`.replies`,
through the client models of :mod:`.wire_models`).  Meanwhile a probe opens
a fresh connection to every port each second and times the greeting (on
HTTP, where the client speaks first, the answer to a GET), and the server's
RSS is sampled.

Faults, as issue 16 counts them: a traceback in the server's log; a fresh
client not greeted within 1 s; a message accepted with 250 that the sink
mailbox does not hold exactly once (read back over POP3 at the end), or one
refused that it holds; RSS after the load over twice the start; a reply
that breaks the protocol.  The summary gives
connections, commands, replies by class, the faults, the greeting times and
RSS at start, at the peak and after the load.

The budget is a time per port (``--minutes``, ports in parallel) or a number
of sessions per client (``--sessions``, for the short pass in the test suite).
"""
from __future__ import annotations

import asyncio
import itertools
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from simulator.server.services import SERVICE_TABLE

from .grammar import (
    Account,
    FTPGrammar,
    HTTPGrammar,
    IMAPGrammar,
    POP2Grammar,
    POP3Grammar,
    SMTPGrammar,
)
from .mutate import split
from .replies import BadReply
from .wire_models import (
    FTPModel,
    HTTPModel,
    IMAPModel,
    Model,
    POP2Model,
    POP3Model,
    SMTPModel,
)

DOMAIN = "example.test"
SINK = Account("sink", "sink-pw")             # receives the tracked messages; nobody else logs in
FUZZ = Account("fuzz", "fuzz-pw")             # the account the POP and IMAP walks use
HANG = 1.0                                    # seconds: a fresh client must be greeted by then
QUIET = 0.15                                  # seconds of silence that end an uncounted wait
RATES = (0.0, 0.1, 0.3, 1.0)
#: The line of a tracked message that names it (see wire_models.tracked_message).
TRACKED_ID = re.compile(rb"(?i)message-id:\s*<(fz[0-9]+-[0-9]+)@fuzz\.test>")
MEMORY = 2.0                                  # RSS after the load may be at most this x the start


@dataclass(frozen=True)
class Port:
    """One listening port of ``mailsim serve``."""

    name: str
    protocol: str
    port: int
    security: str          # none | starttls | tls


@dataclass
class Tally:
    """What one port went through."""

    connections: int = 0
    commands: int = 0
    replies: Counter = field(default_factory=Counter)
    faults: list[tuple[str, str]] = field(default_factory=list)    # (kind, what)
    greetings: list[float] = field(default_factory=list)   # seconds, from the probe
    unanswered: int = 0            # waits that ended without the replies the model expected

    def fault(self, kind: str, text: str) -> None:
        if len(self.faults) < 50:
            self.faults.append((kind, text))


# --------------------------------------------------------------------------- the server

class ServerProcess:
    """``mailsim serve`` in a child process, its stderr in a log file."""

    def __init__(self, offset: int, workdir: Path) -> None:
        self.offset, self.log = offset, workdir / "serve.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        code = "import sys; from simulator.cli import main; sys.exit(main(sys.argv[1:]))"
        args = [sys.executable, "-c", code, "serve", "--lang", "en", "--port-offset",
                str(self.offset), "--user", f"{SINK.user}:{SINK.password}",
                "--user", f"{FUZZ.user}:{FUZZ.password}",
                # Every fuzzing client comes from 127.0.0.1 and many of its logins fail on
                # purpose: with the login throttle on, the run would mostly wait.
                "--login-delay", "0"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log.open("wb"),
                                     cwd=Path(__file__).resolve().parent.parent)
        for line in self.proc.stdout:            # the banner, then "ready"
            if line.strip() == b"ready":
                return
        raise RuntimeError(f"mailsim serve did not start: {self.log.read_text()[-2000:]}")

    def rss(self) -> int:
        """Resident set size in bytes (Linux /proc), 0 if unknown."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        return int(match.group(1)) * 1024 if match else 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tracebacks(self) -> list[str]:
        """The last line (the exception) of every traceback in the log."""
        text = self.log.read_text("utf-8", "replace")
        out = []
        for block in text.split("Traceback (most recent call last):")[1:]:
            lines = [x for x in block.splitlines() if x.strip() and not x.startswith(" ")]
            out.append(lines[0][:300] if lines else "?")
        return out


def free_offset(rng: random.Random) -> int:
    """An offset at which every standard port + offset is free on 127.0.0.1.

    Below 32768, so that no port falls in Linux's ephemeral range, where the
    fuzzer's own client connections take theirs.
    """
    for _ in range(50):
        offset = rng.randrange(11000, 31000, 1000)
        try:
            for *_, port, _, _ in SERVICE_TABLE:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free port offset")


#: The protocols with a wire model here: every port ``mailsim serve`` opens.
MODELLED = ("SMTP", "POP3", "POP2", "IMAP", "FTP", "HTTP")
#: What the probe sends where the server speaks second (HTTP): a request to time.
PROBE_REQUEST = b"GET / HTTP/1.1\r\nHost: probe.test\r\nConnection: close\r\n\r\n"
#: Seconds a data connection of the FTP walk may take to move its octets.
DATA_WAIT = 30.0


def ports(offset: int, names: list[str] | None) -> list[Port]:
    out = [Port(name, protocol, port + offset, security)
           for name, protocol, port, security, _ in SERVICE_TABLE if protocol in MODELLED]
    return [p for p in out if not names or p.name in names]


# --------------------------------------------------------------------------- one session

def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE        # mailsim serve's certificate is self-signed
    return context


class Run:
    """The whole fuzzing run: budget, tallies, tracked messages."""

    def __init__(self, seed: int, host: str = "127.0.0.1", workdir: Path | None = None) -> None:
        self.seed, self.host, self.workdir = seed, host, workdir
        self.tallies: dict[str, Tally] = {}
        self.accepted: list = []                # Tracked messages the server took with 2xx
        self.refused: list[str] = []
        self._tokens = itertools.count(1)
        self.tls = client_context()
        #: token -> the bytes of the SMTP session that carried it, ("C"|"S", bytes) in order
        self.transcripts: dict[str, list[tuple[str, bytes]]] = {}

    def new_token(self) -> str:
        return f"fz{self.seed}-{next(self._tokens)}"

    def model(self, port: Port, rng: random.Random, active_port: int = 1) -> Model:
        rate = rng.choice(RATES)
        if port.protocol == "FTP":
            return FTPModel(FTPGrammar(FUZZ, {"active_port": active_port}), rng, rate)
        if port.protocol == "HTTP":
            return HTTPModel(HTTPGrammar(FUZZ), rng, rate)
        if port.protocol == "SMTP":
            grammar = SMTPGrammar(FUZZ, {"auth": port.name != "smtp"},   # the MX offers no AUTH
                                  recipients=(f"{SINK.user}@{DOMAIN}", f"{FUZZ.user}@{DOMAIN}"))
            return SMTPModel(grammar, rng, rate, self.new_token, f"{SINK.user}@{DOMAIN}")
        if port.protocol == "POP3":
            return POP3Model(POP3Grammar(FUZZ), rng, rate)
        if port.protocol == "POP2":
            return POP2Model(POP2Grammar(FUZZ), rng, rate)
        return IMAPModel(IMAPGrammar(FUZZ), rng, rate)

    async def session(self, port: Port, rng: random.Random, tally: Tally) -> None:
        """One connection: greeting, a random walk, then QUIT, a hang-up or an abort."""
        if port.protocol == "FTP":
            data = DataConnections(self.host, rng)
            await data.listen()
            try:
                await self._session(port, self.model(port, rng, data.port), rng, tally, data)
            finally:
                await data.close()
            return
        await self._session(port, self.model(port, rng), rng, tally)

    async def _session(self, port: Port, model: Model, rng: random.Random, tally: Tally,
                       data: DataConnections | None = None) -> None:
        tls = self.tls if port.security == "tls" else None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, port.port, ssl=tls), 10)
        except (OSError, TimeoutError) as exc:
            tally.fault("connect", f"connect failed: {exc!r}")
            return
        tally.connections += 1
        try:
            await self._walk(model, reader, writer, rng, tally, rng.randrange(1, 60), data)
        except BadReply as exc:
            tally.fault("invalid reply", str(exc) + self._keep(port, model.transcript))
        except (OSError, EOFError, ssl.SSLError, TimeoutError):
            pass                                  # the server may hang up: not a fault by itself
        finally:
            self._collect(model)
            if rng.random() < 0.3:
                writer.transport.abort()          # a client that vanishes
            else:
                writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 5)
            except (OSError, TimeoutError, ssl.SSLError):
                pass

    async def _walk(self, model: Model, reader, writer, rng: random.Random, tally: Tally,
                    steps: int, data: DataConnections | None = None) -> None:
        if model.greeting:
            await self._read(model, reader, model.greeting, tally)
        for _ in range(steps):
            if model.closed:
                return
            if model.wants_tls:
                await writer.start_tls(self.tls)
                model.tls_done()
            batch, expected = model.prepare(model.draw())
            tally.commands += 1
            model.transcript.append(("C", batch))
            if data is not None and isinstance(model, FTPModel) and model.data is not None:
                await data.open(*model.data)          # as ftplib does: connect, then RETR
                model.data = None
            for chunk in split(batch, rng):
                writer.write(chunk)
                await writer.drain()
            await self._read(model, reader, expected, tally)

    async def _read(self, model: Model, reader, expected: int, tally: Tally) -> None:
        """Read until ``expected`` replies came (then a short quiet spell) or the wait ends."""
        got, loop = 0, asyncio.get_running_loop()
        deadline = loop.time() + model.reply_wait
        while not model.closed:
            wait = QUIET if got >= expected else deadline - loop.time()
            if wait <= 0:
                tally.unanswered += 1
                return
            try:
                data = await asyncio.wait_for(reader.read(65536), wait)
            except TimeoutError:
                if got < expected:
                    tally.unanswered += 1
                return
            if not data:
                model.closed = True
                return
            model.transcript.append(("S", data))
            kinds = model.feed(data)
            got += len(kinds)
            tally.replies.update(_classes(model.protocol, kinds))

    def _keep(self, port: Port, transcript: list[tuple[str, bytes]]) -> str:
        """Write a faulty session's bytes both ways to the work directory, to replay it."""
        if self.workdir is None:
            return ""
        return write_session(self.workdir / f"{port.name}-{self.new_token()}.session",
                             transcript)

    def _collect(self, model: Model) -> None:
        if isinstance(model, SMTPModel):
            self.accepted += model.accepted
            self.refused += model.refused
            for message in model.accepted:
                self.transcripts[message.token] = model.transcript


class DataConnections:
    """The FTP walk's data connections: a listener for active mode, a connect for passive.

    Each connection carries what its transfer wants: random octets for STOR (then the
    client closes, RFC 959 §3.3), else everything the server sends until it closes.
    """

    def __init__(self, host: str, rng: random.Random) -> None:
        self.host, self.rng = host, rng
        self.port = 1
        self.verb = ""
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def listen(self) -> None:
        self._server = await asyncio.start_server(self._accepted, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def open(self, verb: str, port: int | None) -> None:
        """Before a transfer command: connect to the passive ``port``; for active mode
        (``port`` None) note what the server's connection to the listener is for."""
        self.verb = verb
        if port is None:
            return
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, port), 10)
        except (OSError, TimeoutError):
            return                            # the server answers 425: that is checked
        self._start(self._move(reader, writer, verb))

    async def _accepted(self, reader, writer) -> None:
        await self._move(reader, writer, self.verb)

    async def _move(self, reader, writer, verb: str) -> None:
        try:
            async with asyncio.timeout(DATA_WAIT):
                if verb == "STOR":
                    size = self.rng.choice((0, 1, 100, 5000, 70_000))
                    writer.write(self.rng.randbytes(size))
                    await writer.drain()
                else:
                    while await reader.read(65536):
                        pass
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()

    def _start(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()


def _classes(protocol: str, kinds: list[str]) -> list[str]:
    if protocol in ("SMTP", "FTP"):
        return [k[0] + "xx" if k[0].isdigit() else k for k in kinds]
    return kinds


# --------------------------------------------------------------------------- the load

async def client_loop(run: Run, port: Port, rng: random.Random, tally: Tally,
                      deadline: float | None, sessions: int | None, pause: float) -> None:
    loop = asyncio.get_running_loop()
    for count in itertools.count():
        if sessions is not None and count >= sessions:
            return
        if deadline is not None and loop.time() >= deadline:
            return
        await run.session(port, rng, tally)
        await asyncio.sleep(pause)


async def probe(run: Run, port: Port, tally: Tally, stop: asyncio.Event) -> None:
    """Every second a fresh client: how long until its greeting (issue 16: at most 1 s)."""
    tls = run.tls if port.security == "tls" else None
    while not stop.is_set():
        started = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(run.host, port.port, ssl=tls), 30)
            if port.protocol == "HTTP":               # the server speaks second: ask
                writer.write(PROBE_REQUEST)
            await asyncio.wait_for(reader.readline(), 30)
            took = time.monotonic() - started
            writer.transport.abort()
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            took = time.monotonic() - started
            tally.fault("hang", f"no greeting after {took:.1f} s ({exc!r})")
        tally.greetings.append(took)
        if took > HANG:
            tally.fault("hang", f"a fresh client waited {took:.2f} s for the greeting")
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def sample_rss(server: ServerProcess, samples: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(server.rss())
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def load(run: Run, server: ServerProcess, targets: list[Port], *, minutes: float | None,
               sessions: int | None, clients: int, pause: float) -> list[int]:
    """All ports in parallel until the budget is spent; RSS samples returned."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + minutes * 60 if minutes is not None else None
    stop = asyncio.Event()
    rss: list[int] = []
    background = [asyncio.create_task(sample_rss(server, rss, stop))]
    workers = []
    for port in targets:
        tally = run.tallies.setdefault(port.name, Tally())
        background.append(asyncio.create_task(probe(run, port, tally, stop)))
        for n in range(clients):
            rng = random.Random(f"{run.seed}/{port.name}/{n}")
            workers.append(client_loop(run, port, rng, tally, deadline, sessions, pause))
    await asyncio.gather(*workers)
    stop.set()
    await asyncio.gather(*background)
    return rss


# --------------------------------------------------------------------------- the sink

def read_sink(host: str, port: int) -> Counter:
    """Tracked messages in the sink's maildrop, counted (POP3 USER/PASS, STAT, RETR).

    A tracked message is found by its ``Message-ID: <token@fuzz.test>`` line
    anywhere in a message, not only in its header section: random DATA lines
    the walk sent before the tracked text (an empty line, a line that is no
    header field) end the header section there (RFC 5322 §2.1), so the
    Message-ID line is then body, which ``TOP n 0`` does not show.
    """
    import poplib
    box = poplib.POP3(host, port, timeout=30)
    try:
        box.user(SINK.user)
        box.pass_(SINK.password)
        count, _ = box.stat()
        tokens: Counter = Counter()
        for n in range(1, count + 1):
            found = set()
            for line in box.retr(n)[1]:
                match = TRACKED_ID.match(line)
                if match:
                    found.add(match.group(1).decode())
            tokens.update(found)
        return tokens
    finally:
        box.quit()


def check_messages(run: Run, tokens: Counter, workdir: Path | None = None) -> list[tuple[str, str]]:
    """Every 2xx message for the sink there once; no refused one there at all.

    A faulty message's session is written to ``workdir`` (the exact bytes
    both ways), so that the fault can be replayed by hand.
    """
    faults = []
    sink = f"{SINK.user}@{DOMAIN}"
    for message in run.accepted:
        if not any(sink in r for r in message.recipients):
            continue
        found = tokens.get(message.token, 0)
        if found != 1:
            what = (f"message {message.token} accepted with 250 is in the store {found} times "
                    f"(recipients: {sorted(message.recipients)})")
            what += _dump(run, message.token, workdir)
            faults.append(("lost" if found == 0 else "duplicated", what))
    for token in run.refused:
        if tokens.get(token):
            faults.append(("ghost", f"message {token} was refused but is in the store"))
    return faults


def _dump(run: Run, token: str, workdir: Path | None) -> str:
    transcript = run.transcripts.get(token)
    if workdir is None or not transcript:
        return ""
    return write_session(workdir / f"{token}.session", transcript)


def write_session(path: Path, transcript: list[tuple[str, bytes]]) -> str:
    """The bytes of a session, ``C:`` client and ``S:`` server in order; the fault's note."""
    path.write_text("".join(f"{side}: {data!r}\n" for side, data in transcript))
    return f"; session: {path}"


# --------------------------------------------------------------------------- the summary

@dataclass
class Report:
    """The summary lines and every fault as (kind, what)."""

    lines: list[str]
    faults: list[tuple[str, str]]
    tallies: dict[str, Tally]
    accepted: int                 # tracked messages accepted for the sink

    def kinds(self) -> Counter:
        return Counter(kind for kind, _ in self.faults)


def summary(run: Run, targets: list[Port], rss: list[int], after: int,
            faults: list[tuple[str, str]], seconds: float) -> list[str]:
    mib = 1024 * 1024
    head = f"mailsim fuzz: seed {run.seed}, {len(targets)} ports in parallel, {seconds:.0f} s"
    lines = [head + " (login delay off)"]
    lines.append(f"{'port':<11} {'conns':>6} {'cmds':>7} {'unans':>5} {'greet p50/max ms':>17}"
                 f"  replies")
    for port in targets:
        t = run.tallies[port.name]
        greet = sorted(t.greetings) or [0.0]
        p50, top = greet[len(greet) // 2] * 1000, greet[-1] * 1000
        replies = " ".join(f"{k}:{v}" for k, v in sorted(t.replies.items()))
        lines.append(f"{port.name:<11} {t.connections:>6} {t.commands:>7} {t.unanswered:>5} "
                     f"{p50:>8.0f}/{top:<8.0f}  {replies}")
    totals = [sum(t.connections for t in run.tallies.values()),
              sum(t.commands for t in run.tallies.values()),
              sum(sum(t.replies.values()) for t in run.tallies.values())]
    lines.append(f"total: {totals[0]} connections, {totals[1]} command batches, "
                 f"{totals[2]} replies")
    tracked = sum(1 for m in run.accepted if any(f"{SINK.user}@" in r for r in m.recipients))
    lines.append(f"messages: {tracked} accepted for the sink (each checked in the store), "
                 f"{len(run.refused)} refused")
    if rss:
        start, peak = rss[0], max([*rss, after])
        lines.append(f"RSS: start {start / mib:.0f} MiB, peak {peak / mib:.0f} MiB, "
                     f"after the load {after / mib:.0f} MiB (x{after / max(start, 1):.2f} "
                     f"of start)")
    kinds = Counter(kind for kind, _ in faults)
    by_kind = ", ".join(f"{kind}: {n}" for kind, n in sorted(kinds.items()))
    lines.append(f"faults: {len(faults)}" + (f" ({by_kind})" if faults else ""))
    lines += [f"  {kind}: {what}" for kind, what in faults[:80]]
    return lines


def fuzz(seed: int, *, minutes: float | None = None, sessions: int | None = None,
         names: list[str] | None = None, clients: int = 3, pause: float = 0.0,
         workdir: Path | None = None) -> Report:
    """Start ``mailsim serve``, fuzz its ports until the budget is spent, check the sink."""
    rng = random.Random(seed)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="mailsim-fuzz-"))
    offset = free_offset(rng)
    server = ServerProcess(offset, workdir)
    run = Run(seed, workdir=workdir)
    targets = ports(offset, names)
    started = time.monotonic()
    server.start()
    try:
        rss = asyncio.run(load(run, server, targets, minutes=minutes, sessions=sessions,
                               clients=clients, pause=pause))
        time.sleep(2.0)                         # let deliveries and timers settle
        after = server.rss()
        tokens = read_sink("127.0.0.1", offset + 110)
    finally:
        server.stop()
    faults = [(kind, f"{name}: {what}") for name, t in run.tallies.items()
              for kind, what in t.faults]
    faults += [("traceback", line) for line in server.tracebacks()]
    faults += check_messages(run, tokens, workdir)
    if rss and after > MEMORY * rss[0]:
        faults.append(("memory", f"RSS after the load is {after / rss[0]:.1f} x the start"))
    lines = summary(run, targets, rss, after, faults, time.monotonic() - started)
    lines.append(f"server log: {server.log}")
    tracked = sum(1 for m in run.accepted if any(f"{SINK.user}@" in r for r in m.recipients))
    return Report(lines, faults, run.tallies, tracked)


def main(argv: list[str] | None = None) -> int:
    """``python -m fuzz [--seed N] [--minutes M | --sessions N] [--ports a,b]``; 1 on faults."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m fuzz",
                                     description="Fuzz every port of mailsim serve.")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="minutes per port, ports in parallel (default 10)")
    parser.add_argument("--sessions", type=int, default=None,
                        help="sessions per client instead of a time limit")
    parser.add_argument("--ports", default="", help="comma-separated port names (default all)")
    parser.add_argument("--clients", type=int, default=3, help="parallel clients per port")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between sessions of one client (to spare the CPU)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    minutes = args.minutes if args.minutes is not None or args.sessions else 10.0
    names = [n for n in args.ports.split(",") if n] or None
    report = fuzz(seed, minutes=minutes, sessions=args.sessions, names=names,
                  clients=args.clients, pause=args.pause)
    print("\n".join(report.lines), flush=True)
    return 1 if report.faults else 0
