"""``mailsim``: list, run and replay scenarios from the terminal.

``main(argv)`` returns the exit status instead of exiting, so tests call it
directly.  Status 0 is success; 2 is anything the user can fix (an unknown
scenario, a broken file, a bad option), always reported on one line of
stderr in the user's language — a traceback would be a bug.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from simulator import replay as view
from simulator.cli_args import parse
from simulator.locale import t
from simulator.scenarios import Scenario, ScenarioError, builtin_names, load, load_builtin
from simulator.trace import READABLE_VERSIONS, Trace, TraceFormatError
from simulator.trace import loads as trace_json


class UserError(Exception):
    """Something the user can fix; the message is already in their language."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``mailsim`` command line; returns the exit status."""
    args, status = parse(sys.argv[1:] if argv is None else argv)
    if args is None:
        return status
    handler = {"scenarios": cmd_scenarios, "run": cmd_run, "replay": cmd_replay,
               "serve": cmd_serve, "lab": cmd_lab, "quiz": cmd_quiz}[args.command]
    try:
        return handler(args)
    except (UserError, ScenarioError, TraceFormatError) as exc:
        _fail(str(exc), args.lang)
    except KeyboardInterrupt:
        return 130                  # Ctrl-C: the usual shell status, no traceback
    except BrokenPipeError:
        # `mailsim replay … | head` closed the pipe: stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 2


def _fail(message: str, lang: str) -> None:
    print(f"mailsim: {t('cli.error_prefix', lang)}: {message}", file=sys.stderr)


# -- mailsim scenarios --------------------------------------------------------------------


def cmd_scenarios(args) -> int:
    """Each built-in scenario with its one-line description."""
    names = builtin_names()
    if not names:
        print(t("cli.scenarios.none", args.lang))
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {_description(name, args.lang)}")
    return 0


def _description(name: str, lang: str) -> str:
    """The scenario's description in ``lang`` (or any language it has)."""
    try:
        scenario = load_builtin(name, lang)
    except ScenarioError as exc:      # a broken built-in must not hide the others
        return t("cli.scenarios.broken", lang, error=exc)
    text = scenario.description.get(lang) or next(iter(scenario.description.values()), "")
    return " ".join(text.split())


# -- mailsim serve -------------------------------------------------------------------------


#: Where ``mailsim serve --dashboard`` streams the trace when ``--trace`` names no file.
DASHBOARD_TRACE = "mailsim-live.jsonl"


def cmd_serve(args) -> int:
    """Serve the scenario's mail host on loopback until Ctrl-C or SIGTERM."""
    from simulator.server.cli_serve import ServeUsageError, run_serve
    on_ready = None
    if args.dashboard:
        args.trace = args.trace or DASHBOARD_TRACE          # the dashboard follows this file
        on_ready = partial(open_dashboard, args=args)
    try:
        return run_serve(args, on_ready)
    except ServeUsageError as exc:
        raise UserError(str(exc)) from None


def open_dashboard(server, args):
    """``--dashboard``: Voilà on the teacher's dashboard of this server; prints its URL, or
    why it cannot open (the server serves on either way).  Returns what stops it."""
    from simulator import lab
    trace = str(Path(args.trace).resolve())
    environment = {"MAILSIM_DASHBOARD_TRACE": trace,
                   "MAILSIM_DASHBOARD_DOMAIN": server.world.domain}
    if server.passwords_path is not None:       # class mode: every login, with its name
        environment["MAILSIM_DASHBOARD_CLASS"] = str(server.passwords_path.resolve())
    def failed(dashboard) -> None:
        print(t("serve.dashboard.failed", args.lang, status=dashboard.process.returncode,
                log=dashboard.log), flush=True)
    try:
        dashboard = lab.start_dashboard(args.lang, environment, browser=not args.no_browser,
                                        on_failure=failed)
    except lab.DashboardUnavailable as exc:
        print(t(exc.key, args.lang, trace=trace, **exc.params), flush=True)
        return None
    print(t("serve.dashboard.open", args.lang, url=dashboard.url, trace=trace), flush=True)
    return dashboard.stop


# -- mailsim quiz --------------------------------------------------------------------------


def cmd_quiz(args) -> int:
    """Question banks: validate, render, grade, export, import-gift (simulator/cli_quiz.py)."""
    from simulator.cli_quiz import QuizUsageError, run_quiz
    try:
        return run_quiz(args)
    except QuizUsageError as exc:
        raise UserError(str(exc)) from None


# -- mailsim lab ---------------------------------------------------------------------------


def cmd_lab(args) -> int:
    """Serve the course in JupyterLab (or Voilà) and open the index in ``--lang``.

    ``--notebooks DIR`` serves that folder in place; otherwise the course is
    first copied to the student's working folder (``--dir``), see :mod:`simulator.lab`.
    """
    from simulator import lab
    try:
        if args.notebooks:
            root = lab.find_notebooks(args.notebooks)
        else:
            root = Path(args.dir) if args.dir else lab.default_workdir()
            copied = lab.prepare_workdir(root)
            key = "cli.lab.copied" if copied else "cli.lab.working"
            print(t(key, args.lang, path=root, count=len(copied)), flush=True)
    except lab.NotebooksNotFound as exc:
        raise UserError(t("cli.error.no_notebooks", args.lang, path=str(exc))) from None
    except OSError as exc:
        raise UserError(t("cli.error.write", args.lang, path=getattr(exc, "filename", None)
                          or args.dir, reason=exc.strerror or exc)) from None
    return lab.run(root, args.lang, voila=args.voila, browser=not args.no_browser,
                   port=args.port)


# -- mailsim run ---------------------------------------------------------------------------


def cmd_run(args) -> int:
    """Run a scenario, print its summary and optionally write the trace."""
    scenario = load(args.scenario, args.lang)
    result = simulate(scenario, args.seed, args.lang)
    for line in summary(result, scenario, args.seed, args.lang):
        print(line)
    if args.trace:
        write_trace(result.trace, args.trace, args.lang)
        print(t("cli.run.trace_written", args.lang, path=args.trace))
    if args.pcap:
        write_pcap(result, args.pcap, args.lang)
        print(t("cli.pcap.written", args.lang, path=args.pcap))
    return 0


def simulate(scenario: Scenario, seed: int | None, lang: str) -> Any:
    """Run the network simulation; its known failures become a UserError."""
    try:
        # Imported here: the CLI must list and replay even while (or where)
        # the network layer cannot be imported.
        from simulator.network import simulate as run
    except ImportError as exc:
        raise UserError(t("cli.error.no_network", lang, reason=exc)) from None
    zone_error, limit = _network_errors()
    try:
        return run(scenario, seed=seed)
    except zone_error as exc:      # a zone-file error, located in the scenario file
        message = exc.message(lang) if callable(getattr(exc, "message", None)) else str(exc)
        raise UserError(message) from None
    except limit as exc:           # the scheduler's limit: a mail loop that never settles
        raise UserError(t("cli.error.simulation", lang, reason=exc)) from None


def _network_errors() -> tuple[type[Exception], type[Exception]]:
    """The network's "your scenario cannot run" errors, caught by name and nothing broader.

    Catching every ValueError or RuntimeError would turn real bugs into
    tidy one-liners that nobody reports.
    """
    from simulator.network import dns, scheduler
    return (getattr(dns, "ZoneError", ScenarioError),
            getattr(scheduler, "SimulationLimit", ScenarioError))


#: The steps that sum up a file or web session (what it moved), for ``mailsim run``.
SESSION_SUMMARIES = ("ftp.session.done", "http.browser.done")
#: The protocols that carry mail: a run without any of them has no mail lines to report.
MAIL_PROTOCOLS = frozenset({"SMTP", "POP3", "POP2", "IMAP", "MTA", "MDA", "MUA"})


def summary(result: Any, scenario: Scenario, seed: int | None, lang: str) -> list[str]:
    """Lines: scenario and seed, steps and connections, what each FTP and web session moved,
    and, where mail was involved, deliveries per mailbox and bounces."""
    trace = result.trace
    lines = [t("cli.run.title", lang, scenario=scenario.name,
               seed=scenario.seed if seed is None else seed),
             t("cli.run.counts", lang, steps=len(trace), connections=len(trace.connections()))]
    sessions = [s for s in trace if s.explain in SESSION_SUMMARIES]
    if sessions:
        lines.append(t("cli.run.sessions", lang))
        lines += [t("cli.run.session", lang, client=s.src, server=s.params.get("server", s.dst),
                    summary=view.step_text(s, lang)) for s in sessions]
    if sessions and not any(s.protocol in MAIL_PROTOCOLS for s in trace):
        return lines + ([t("cli.replay.empty", lang, scenario=scenario.name)]
                        if not len(trace) else [])
    arrivals = Counter(d.address for d in getattr(result, "deliveries", ()))
    if arrivals:
        lines.append(t("cli.run.delivered", lang))
        lines += [t("cli.run.arrivals", lang, address=address, count=count)
                  for address, count in sorted(arrivals.items())]
    else:
        lines.append(t("cli.run.nothing_delivered", lang))
    # What is left after the clients' sessions (POP3 may have deleted some).
    mailboxes = delivered(result.store.snapshot())
    lines.append(t("cli.run.now", lang) if mailboxes else t("cli.run.all_empty", lang))
    lines += [t("cli.run.mailbox", lang, address=address, folders=folders)
              for address, folders in mailboxes.items()]
    lines.append(t("cli.run.bounces", lang, count=len({b.dsn for b in result.bounces if b.dsn})))
    if not len(trace):
        lines.append(t("cli.replay.empty", lang, scenario=scenario.name))
    return lines


def delivered(snapshot: dict[str, dict[str, list]]) -> dict[str, str]:
    """Address -> ``"INBOX 2, Sent 1"`` for every mailbox that holds messages."""
    out = {}
    for address in sorted(snapshot):
        folders = [f"{folder} {len(messages)}"
                   for folder, messages in snapshot[address].items() if messages]
        if folders:
            out[address] = ", ".join(folders)
    return out


def write_trace(trace: Trace, path: str, lang: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(trace.to_json() + "\n")
    except OSError as exc:
        raise UserError(t("cli.error.write", lang, path=path, reason=exc.strerror or exc)) from None


def write_pcap(result: Any, path: str, lang: str) -> None:
    """The run as a pcap file (each host at its address from the zones)."""
    try:
        result.trace.to_pcap(path, addresses=result.addresses)
    except OSError as exc:
        raise UserError(t("cli.error.write", lang, path=path, reason=exc.strerror or exc)) from None


# -- mailsim replay ----------------------------------------------------------------------


def cmd_replay(args) -> int:
    """Step through a trace (or a scenario's fresh trace), or print it all."""
    notes: list[str] = []
    if is_capture(args.source):
        trace, notes = read_capture(args.source, args.lang)
    else:
        trace = obtain_trace(args.source, args.seed, args.lang)
    for note in notes:
        Console(highlight=False, stderr=True).print(note)
    steps = select_steps(trace, args.protocol, args.conn, args.lang)
    infos = view.connections(trace.steps)
    title = view.trace_title(trace, args.lang, shown=len(steps))
    if not steps:        # a scenario without sessions (classroom) is for mailsim serve
        Console(highlight=False).print(title, t("cli.replay.empty", args.lang,
                                                 scenario=trace.scenario or "…"), sep="\n")
        return 0
    interactive = not args.all and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        from simulator.replay_stepper import run_stepper
        run_stepper(Console(), steps, args.lang, infos, title)
    else:
        out = Console(highlight=False)
        out.print(title)
        for renderable in view.render_steps(steps, args.lang, infos):
            out.print(renderable)
    return 0


def obtain_trace(source: str, seed: int | None, lang: str) -> Trace:
    """A trace file as it is, or the trace of running a scenario."""
    if _is_trace_file(source):
        return read_trace(source, lang)
    return simulate(load(source, lang), seed, lang).trace


#: The first octets of a pcap file (both byte orders, micro- and nanoseconds) and of pcapng.
CAPTURE_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
                  b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a")


def is_capture(source: str) -> bool:
    """A .pcap/.pcapng/.cap name, or an existing file that starts like one."""
    if source.lower().endswith((".pcap", ".pcapng", ".cap")):
        return True
    if not os.path.isfile(source):
        return False
    with open(source, "rb") as f:
        return f.read(4) in CAPTURE_MAGICS


def read_capture(path: str, lang: str) -> tuple[Trace, list[str]]:
    """A capture's mail sessions as a trace, and a line per connection left out."""
    from simulator.wire.pcap_import import CaptureError, import_pcap
    try:
        imported = import_pcap(path, name=Path(path).name)
    except CaptureError as exc:
        raise UserError(t("cli.pcap.error.bad", lang, path=path,
                          reason=t(exc.key, lang, **exc.params))) from None
    notes = []
    if imported.skipped:
        notes.append(t("cli.pcap.skipped.title", lang))
        notes += ["  " + t(f"cli.pcap.skipped.{s.reason}", lang, client=s.client,
                           server=s.server, port=s.port) for s in imported.skipped]
    if not len(imported.trace):
        raise UserError(t("cli.pcap.error.bad", lang, path=path,
                          reason=t("cli.pcap.none", lang)))
    return imported.trace, notes


def _is_trace_file(source: str) -> bool:
    """A .json name, or an existing file whose first character opens a JSON object."""
    if source.lower().endswith(".json"):
        return True
    if not os.path.isfile(source):
        return False
    with open(source, "rb") as f:
        return f.read(64).lstrip().startswith(b"{")


def read_trace(path: str, lang: str) -> Trace:
    """Load a trace file; every problem becomes a one-line UserError naming the file."""
    try:
        return _parse_trace(path, lang)
    except UserError as exc:
        raise UserError(t("cli.error.bad_trace", lang, path=path, reason=exc)) from None


def _parse_trace(path: str, lang: str) -> Trace:
    try:
        with open(path, encoding="utf-8") as f:
            data = trace_json(f.read())
    except FileNotFoundError:
        raise UserError(t("cli.error.trace_missing", lang)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(t("cli.error.trace_unreadable", lang, reason=exc)) from None
    except json.JSONDecodeError as exc:
        raise UserError(t("cli.error.trace_json", lang, line=exc.lineno, reason=exc.msg)) from None
    _check_header(data, lang)
    try:
        return Trace.from_dict(data)
    except (TraceFormatError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(t("cli.error.trace_steps", lang, reason=f"{type(exc).__name__}: {exc}")) \
            from None


def _check_header(data: Any, lang: str) -> None:
    """The format marker and version, checked here to say what is wrong in ru or en."""
    if not isinstance(data, dict):
        raise UserError(t("cli.error.trace_object", lang))
    if data.get("format") != "mailsim-trace":
        raise UserError(t("cli.error.trace_format", lang))
    if data.get("version") not in READABLE_VERSIONS:
        raise UserError(t("cli.error.trace_version", lang, version=data.get("version"),
                          expected=" / ".join(map(str, READABLE_VERSIONS))))
    if not isinstance(data.get("steps"), list):
        raise UserError(t("cli.error.trace_steps", lang, reason="steps"))


def select_steps(trace: Trace, protocol: str | None, conn: str | None, lang: str) -> list:
    """The steps to show; a filter that matches nothing is an error listing what exists."""
    if protocol is None and conn is None:
        return list(trace.steps)
    # Protocol names are compared case-blind: "smtp" should find "SMTP".
    wanted = protocol.upper() if protocol else None
    steps = [s for s in trace.filter(conn=conn) if wanted is None or s.protocol.upper() == wanted]
    if not steps:
        filters = ", ".join(f"--{k} {v}" for k, v in (("protocol", protocol), ("conn", conn)) if v)
        protocols = ", ".join(dict.fromkeys(s.protocol for s in trace.steps)) or "—"
        raise UserError(t("cli.error.no_match", lang, filters=filters, protocols=protocols,
                          conns=", ".join(trace.connections()) or "—"))
    return steps
