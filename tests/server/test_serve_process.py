"""The helper that starts ``mailsim serve`` in its own process never hands back a dead one.

The kill -9 tests (test_relay_spool, test_maildir_crash) restart the server
with it.  A restart that lost a port to another program exits with
"cannot listen"; the helper used to take the end of its stdout plus a
``poll()`` that still said "running" (the exit is reported a moment after
stdout closes) for a started server, and the test then waited 120 s for a
relay that nobody would do.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys

from . import conftest
from .conftest import said_ready, serve_process


def test_a_process_that_closed_stdout_without_ready_is_not_started():
    # Closes stdout, then lingers: what a failing serve looks like for a moment.
    code = "import os, time; os.close(1); time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert not said_ready(proc)
        assert proc.poll() is None          # still running: poll() alone would be fooled
    finally:
        proc.kill()
        proc.wait(60)


def test_a_port_taken_before_the_bind_makes_the_helper_try_another_offset(monkeypatch, tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1] - 25          # the SMTP port of this offset is taken
    offsets = iter([busy])
    real = conftest.free_offset
    monkeypatch.setattr(conftest, "free_offset", lambda: next(offsets, None) or real())
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    proc, offset = serve_process(env=env)
    try:
        assert offset != busy
        with socket.create_connection(("127.0.0.1", 25 + offset), timeout=30) as client:
            assert client.makefile("rb").readline().startswith(b"220 ")
    finally:
        taken.close()
        proc.terminate()
        proc.wait(120)                          # a bound for a loaded machine
