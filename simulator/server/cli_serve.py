"""``mailsim serve`` in the terminal: start, print the settings and ``ready``, wait for a signal.

Ctrl-C (SIGINT) and SIGTERM both stop the listeners and the network's
timers; the exit status is 0 after a clean stop.
"""
from __future__ import annotations

import asyncio
import errno
import signal
import sys
from collections.abc import Callable

from ..locale import t
from . import gc_policy
from .app import MailServer, ServeOptions
from .banner import banner
from .loops import LoopUnavailable, loop_factory
from .roster import RosterError
from .sheets import write_sheets
from .tls import is_dns_name, is_ip_address


class ServeUsageError(Exception):
    """A mistake in the options, already in the user's language."""


def parse_users(values: list[str], lang: str) -> list[tuple[str, str]]:
    """``NAME:PASSWORD`` pairs (the password may itself contain colons)."""
    users = []
    for value in values:
        name, sep, password = value.partition(":")
        if not sep or not name:
            raise ServeUsageError(t("serve.bad_user", lang, value=value))
        users.append((name, password))
    return users


def check_tls_names(values: list[str], lang: str) -> list[str]:
    """``--tls-name`` values: each a DNS name or an IP address."""
    for value in values:
        if not (is_ip_address(value) or is_dns_name(value)):
            raise ServeUsageError(t("serve.bad_tls_name", lang, value=value))
    return values


def parse_port_range(value: str | None, lang: str) -> tuple[int, int] | None:
    """``--ftp-passive-ports LOW-HIGH`` (or a single port): the inclusive range, or None."""
    if value is None:
        return None
    low, _, high = value.strip().partition("-")
    try:
        low_port, high_port = int(low), int(high or low)
    except ValueError:
        raise ServeUsageError(t("serve.bad_port_range", lang, value=value)) from None
    if not 1 <= low_port <= high_port <= 65535:
        raise ServeUsageError(t("serve.bad_port_range", lang, value=value))
    return low_port, high_port


def options_from(args) -> ServeOptions:
    return ServeOptions(scenario=args.scenario, host=args.host, port_offset=args.port_offset,
                        domain=args.domain, users=parse_users(args.user, args.lang),
                        maildir=args.maildir, trace_path=args.trace,
                        require_tls=args.require_tls, tls_cert=args.tls_cert,
                        tls_key=args.tls_key, bind_sender=args.bind_sender,
                        login_delay=max(0.0, args.login_delay), lang=args.lang,
                        tls_names=check_tls_names(args.tls_name, args.lang),
                        roster=args.roster, students=args.students,
                        passwords_path=args.passwords,
                        trace_file_max_mb=max(0.0, args.trace_max_mb),
                        ftp_passive_ports=parse_port_range(args.ftp_passive_ports, args.lang),
                        loop=args.loop)


#: The signals that stop the server: Ctrl-C everywhere, SIGTERM (kill, systemd) on POSIX,
#: Ctrl-Break (SIGBREAK) on Windows.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK")
                     if hasattr(signal, name))


def on_stop_signals(loop: asyncio.AbstractEventLoop, stop) -> Callable[[], None]:
    """Call ``stop()`` on the loop when a stop signal arrives; returns the undo.

    ``loop.add_signal_handler`` (POSIX) wakes the loop through its self-pipe.
    Windows' event loops do not have it (NotImplementedError): there a plain
    ``signal.signal`` handler, which Python runs in the main thread, hands
    ``stop`` to the loop with ``call_soon_threadsafe``, which wakes it too.
    """
    undo = []
    for signum in STOP_SIGNALS:
        try:
            loop.add_signal_handler(signum, stop)
            undo.append(lambda s=signum: loop.remove_signal_handler(s))
        except (NotImplementedError, RuntimeError, ValueError):
            previous = signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop))
            undo.append(lambda s=signum, p=previous: signal.signal(s, p))

    def restore() -> None:
        for action in undo:
            action()
    return restore


def run_serve(args, on_ready: Callable[[MailServer], Callable[[], None] | None] | None = None
              ) -> int:
    """Serve until a signal; 0 after a clean stop.

    ``on_ready(server)`` runs once the server listens (``--dashboard`` opens the teacher's
    view there); what it returns is called when the server stops.
    """
    options = options_from(args)
    try:
        make_loop = loop_factory(options.loop)
    except LoopUnavailable:
        raise ServeUsageError(t("serve.no_uvloop", args.lang)) from None
    with asyncio.Runner(loop_factory=make_loop) as runner:
        return runner.run(_serve(options, args.lang, args.sheets, on_ready))


def listen_error(exc: OSError, host: str, lang: str | None) -> str:
    """Why a port could not be opened, and what to do about it, in the user's language.

    Below 1024 the OS may refuse an ordinary user (EACCES: Linux without
    CAP_NET_BIND_SERVICE, macOS before 10.14 on some addresses); that is not a
    busy port and has its own advice.
    """
    port = getattr(exc, "port", None)
    if exc.errno in (errno.EACCES, errno.EPERM) and port is not None and port < 1024:
        return t("serve.port_denied", lang, host=host, port=port)
    if exc.filename:                 # the roster, the passwords file, the certificate
        return t("serve.file_error", lang, path=exc.filename, reason=exc.strerror or exc)
    return t("serve.port_busy", lang, host=host, port=port if port is not None else "?",
             reason=exc.strerror or exc)


async def _serve(options: ServeOptions, lang: str, sheets: str | None = None,
                 on_ready=None) -> int:
    server = MailServer(options)
    try:
        await server.start()
        written = write_sheets(server, sheets) if sheets else []
    except RosterError as exc:
        await server.stop()
        raise ServeUsageError(t(exc.key, lang, **exc.params)) from None
    except OSError as exc:
        await server.stop()
        raise ServeUsageError(listen_error(exc, options.host, lang)) from None
    stop = asyncio.Event()
    restore = on_stop_signals(asyncio.get_running_loop(), stop.set)
    extra = None
    try:
        for line in banner(server, lang):
            print(line)
        if written:
            print(t("serve.sheets", lang, count=len(written) - 1, path=written[-1]))
        if on_ready is not None:
            extra = on_ready(server)
        gc_policy.settle_after_start()
        print(t("serve.ready", lang), flush=True)
        await stop.wait()
    finally:
        restore()
        if extra is not None:
            extra()
        await server.stop()
    print(t("serve.stopped", lang), file=sys.stderr)
    return 0
