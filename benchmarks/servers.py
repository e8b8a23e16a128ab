"""The servers under load, each in its own process: mailsim serve, aiosmtpd, Dovecot.

Every server runs outside the benchmark's process so that the load
generator never shares its interpreter, and :func:`cpu_seconds` reads the
server's CPU time from the kernel (``/proc/PID/stat``, children that have
exited included: Dovecot's ``imap`` processes are reaped by its master).
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT = 60.0


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (proc(5)), [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of ``pid`` and all its descendants, living or reaped.

    Linux only (/proc); NaN elsewhere.  Living descendants count because
    Dovecot's ``imap`` processes are still running when the load ends.
    System time is the kernel's work for the process: for a server under
    many short connections, mostly TCP (accept, send, receive, close).
    """
    if not _stat(pid):
        return float("nan"), float("nan")
    stats = {int(entry.name): fields for entry in Path("/proc").iterdir()
             if entry.name.isdigit() and (fields := _stat(entry.name))}
    children: dict[int, list[int]] = {}
    for child, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(child)     # field 1: ppid
    user = system = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        # utime, stime, cutime, cstime: fields 11-14 after the name (14-17 in proc(5)).
        fields = [int(f) for f in stats.get(current, [0] * 15)[11:15]]
        user += fields[0] + fields[2]
        system += fields[1] + fields[3]
        todo.extend(children.get(current, []))
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (see :func:`cpu_times`)."""
    return sum(cpu_times(pid))


def ephemeral_ports() -> tuple[int, int]:
    """The kernel's range for clients' local ports (Linux), or IANA's dynamic range."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535


def offset_ceiling(highest_port: int) -> int:
    """The largest port offset that keeps ``highest_port`` + offset below the ephemeral range.

    There, any client socket on the machine (a load generator's, by the
    thousand) may take one of the servers' ports between a free check and the
    server's bind.  An unusual kernel setting falls back to a wide range.
    """
    ceiling = ephemeral_ports()[0] - highest_port - 1
    return ceiling if ceiling >= 10000 else 60000


#: The ports ``mailsim serve`` (standard port + offset) and the anchors use.
PORTS = (25, 587, 465, 110, 995, 109, 143, 993, 80, 21, 2525, 2143)


def free_offset() -> int:
    """A port offset under which every port ``mailsim serve`` uses (and the anchors') is free."""
    import random

    def free(port: int) -> bool:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True
    ceiling = offset_ceiling(max(PORTS))
    for _ in range(1000):
        offset = random.randrange(2000, ceiling, 11)
        if all(free(p + offset) for p in PORTS):
            return offset
    raise RuntimeError("no free port range found")


def _wait_for_port(port: int, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {START_TIMEOUT:g} s")


@contextmanager
def _running(proc: subprocess.Popen, wait_ready) -> Iterator[subprocess.Popen]:
    """``proc`` once ``wait_ready(proc)`` returns; terminated (killed if it lingers) after."""
    try:
        wait_ready(proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _process(argv: list[str], port: int, **popen):
    """A server process that is ready once something listens on ``port``."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    return _running(proc, lambda p: _wait_for_port(port, p))


def _wait_for_ready(proc: subprocess.Popen) -> None:
    """Read ``mailsim serve``'s stdout until its ``ready`` line (a thread keeps draining it).

    Polling a port is not enough: under a loaded test run another process may
    take one of our ports after :func:`free_offset` looked, our server exits,
    and the poll would then connect to that other process's listener.
    """
    ready = threading.Event()

    def drain() -> None:
        for line in proc.stdout:
            if line.strip() == "ready":
                ready.set()
    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.wait(0.1):
        if proc.poll() is not None:
            raise RuntimeError(f"mailsim serve exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"mailsim serve did not say ready within {START_TIMEOUT:g} s")


@contextmanager
def mailsim_serve(offset: int, extra: tuple[str, ...] = ()) -> Iterator[subprocess.Popen]:
    """``mailsim serve`` (the classroom scenario, in-memory store) on ``offset`` + 25, 143…;
    ``extra`` options after those (``--students 30``, ``--trace FILE``)."""
    with tempfile.TemporaryDirectory() as home:
        argv = [sys.executable, "-m", "simulator", "serve", "--lang", "en",
                "--port-offset", str(offset), *extra]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=dict(os.environ, XDG_DATA_HOME=home))
        with _running(proc, _wait_for_ready):
            yield proc


def has_aiosmtpd() -> bool:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def aiosmtpd_server(port: int) -> Iterator[subprocess.Popen]:
    """aiosmtpd with an in-memory handler (:mod:`benchmarks.aiosmtpd_memory`) on ``port``."""
    argv = [sys.executable, "-m", "benchmarks.aiosmtpd_memory", str(port)]
    with _process(argv, port) as proc:
        yield proc


# -- Dovecot -----------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def has_dovecot() -> bool:
    return os.access(DOVECOT, os.X_OK)


def _dovecot_conf(home: Path, port: int, clients: int) -> str:
    """A loopback-only, plaintext, single-user Dovecot: enough to time IMAP commands.

    Every connection gets its own ``imap`` process, so the process limit and
    the per-user-and-address connection limit must cover ``clients``.
    """
    root = os.getuid() == 0
    login_user = "dovenull" if root else pwd.getpwuid(os.getuid()).pw_name
    internal = "dovecot" if root else login_user
    no_chroot = "" if root else "  chroot =\n"
    limit = clients + 16
    return f"""\
base_dir = {home}/run
state_dir = {home}/state
instance_name = mailsim-bench-{port}
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal}
default_internal_group = {internal}
mail_location = maildir:~/Maildir
mail_max_userip_connections = {limit}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {home}/users
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_limit = {limit}
}}
service imap {{
  process_limit = {limit}
}}
service anvil {{
{no_chroot}}}
"""


@contextmanager
def dovecot(port: int, user: str, password: str, clients: int) -> Iterator[int]:
    """A throw-away Dovecot on 127.0.0.1:``port``; yields its master's pid."""
    home = Path(tempfile.mkdtemp(prefix="mailsim-dovecot-"))
    try:
        # Dovecot will not touch mail as root: the mail belongs to "nobody", and
        # the login processes must be able to walk into the directory.
        home.chmod(0o755)
        mail = home / "mail"
        mail.mkdir()
        owner = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        (home / "users").write_text(f"{user}:{{PLAIN}}{password}:{owner.pw_uid}:"
                                    f"{owner.pw_gid}::{mail}/{user}::\n")
        (home / "users").chmod(0o644)
        conf = home / "dovecot.conf"
        conf.write_text(_dovecot_conf(home, port, clients))
        # The master forks into the background: no pipes, or we would wait for it.
        subprocess.run([DOVECOT, "-c", str(conf)], check=True, timeout=START_TIMEOUT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pid = int(_read_when_present(home / "run" / "master.pid"))
        try:
            _wait_for_port(port)
            yield pid
        finally:
            _stop(pid)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _read_when_present(path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if path.exists() and (text := path.read_text().strip()):
            return text
        time.sleep(0.05)
    raise RuntimeError(f"{path} did not appear")


def _stop(pid: int) -> None:
    """SIGTERM to the master (it stops its children), SIGKILL if it lingers."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
