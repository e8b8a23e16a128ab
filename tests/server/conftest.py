"""Start ``mailsim serve`` in-process on free ports for real clients."""
import fcntl
import random
import socket
import ssl
import struct
import subprocess
import sys
import termios
import threading
from contextlib import contextmanager

import pytest

from benchmarks.servers import offset_ceiling
from simulator.server import LiveServer, ServeOptions
from simulator.server.loops import uvloop_installed
from simulator.server.services import SERVICE_TABLE

STANDARD_PORTS = [port for _, _, port, _, _ in SERVICE_TABLE]


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_offset() -> int:
    """An offset that leaves every standard port + offset free (tried at random).

    Every port stays below the ephemeral range (see ``offset_ceiling``).
    """
    ceiling = offset_ceiling(max(STANDARD_PORTS))
    for _ in range(200):
        offset = random.randrange(2000, ceiling, 7)
        if all(port_free(p + offset) for p in STANDARD_PORTS):
            return offset
    raise RuntimeError("no free port range")


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.fixture(autouse=True)
def _data_home(tmp_path_factory, monkeypatch):
    """The self-signed certificate goes to a throwaway XDG data folder, made once."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg"))


@contextmanager
def serving(**options):
    """``serve_in_background`` on free ports; another offset if a port was taken meanwhile.

    Other processes on the machine may bind a port between the check in
    :func:`free_offset` and the server's own bind.
    """
    for attempt in range(5):
        try:
            live = LiveServer(ServeOptions(port_offset=free_offset(), **options)).start()
        except OSError:
            if attempt == 4:
                raise
            continue
        break
    try:
        yield live
    finally:
        live.stop()


def said_ready(proc: subprocess.Popen, banner: list[str] | None = None) -> bool:
    """Read ``proc``'s stdout up to its ``ready`` line: True, or False if stdout ended first.
    The lines before ``ready`` go to ``banner`` when one is given.

    The end of stdout is the only sign of failure to trust: a serve that lost
    a port prints its error and exits, and its stdout closes before the
    kernel reports the exit, so ``poll()`` right after the end of stdout may
    still say "running" (more often the busier the machine is).
    """
    for line in proc.stdout:
        if line.strip() == "ready":
            return True
        if banner is not None:
            banner.append(line)
    return False


def serve_process(*args: str, env: dict[str, str], attempts: int = 5,
                  banner: list[str] | None = None, cwd=None) -> tuple[subprocess.Popen, int]:
    """``mailsim serve ARGS`` in its own process on free ports, read up to its ``ready``
    line (the lines before it go to ``banner``); (the process, its port offset).  A
    process that ends before ``ready`` lost a port to another program between
    :func:`free_offset` and its bind: try another offset."""
    for _ in range(attempts):
        offset = free_offset()
        proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--lang", "en",
                                 "--port-offset", str(offset), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=env, cwd=cwd)
        lines: list[str] = []
        if said_ready(proc, lines):
            if banner is not None:
                banner += lines
            return proc, offset
        proc.wait(60)                   # it is exiting; a bound for a loaded machine
    raise RuntimeError(f"mailsim serve did not start in {attempts} attempts")


@pytest.fixture
def live():
    with serving() as server:
        yield server


#: The event loops the server runs on: Python's own always (Windows has no other), and
#: uvloop where it is installed (``--loop auto`` then takes it).
LOOPS = ["asyncio", *(["uvloop"] if uvloop_installed() else [])]


@pytest.fixture(params=LOOPS)
def each_loop(request) -> str:
    """A test with this fixture runs once per event loop (``ServeOptions.loop``)."""
    return request.param


@pytest.fixture
def live_each_loop(each_loop):
    with serving(loop=each_loop) as server:
        yield server


@contextmanager
def loop_paused(live):
    """Hold the server's event loop inside one callback for the ``with`` block.

    Bytes the test sends meanwhile pile up in the kernel, so that when the
    block ends the server finds them all at once: orderings that otherwise
    depend on how busy the machine is become deterministic.
    """
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        entered.set()
        release.wait(60)
    live._loop.call_soon_threadsafe(hold)
    assert entered.wait(30), "the server loop did not pause"
    try:
        yield
    finally:
        release.set()


def delivered(sock: socket.socket, rounds: int = 2000) -> None:
    """Wait until the peer's kernel has acknowledged everything sent on ``sock`` (Linux SIOCOUTQ)."""
    for _ in range(rounds):
        unsent = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ,
                                                b"\0\0\0\0"))[0]
        if unsent == 0:
            return
        threading.Event().wait(0.005)
    raise AssertionError("the server's kernel never took the bytes")


def read_line(sock_file) -> bytes:
    line = sock_file.readline()
    assert line, "the server closed the connection"
    return line
