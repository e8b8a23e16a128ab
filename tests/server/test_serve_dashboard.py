"""``mailsim serve --dashboard``: Voilà on the teacher's dashboard, or a clear word why not.

The server runs as the teacher starts it (a process of its own); the dashboard is
a Voilà page on this machine only, rendered over HTTP with the class's rows, and it
ends with the server.  Without Voilà the server says what to install and serves on.
"""
from __future__ import annotations

import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_offset, said_ready

ROOT = Path(__file__).resolve().parents[2]
#: ``mailsim serve`` as if Voilà were not installed.
WITHOUT_VOILA = ("import importlib.util, sys\n"
                 "find = importlib.util.find_spec\n"
                 "importlib.util.find_spec = lambda name, *a: None if name == 'voila' "
                 "else find(name, *a)\n"
                 "from simulator.cli import main\n"
                 "sys.exit(main(sys.argv[1:]))\n")
RENDER = 300            # seconds: Voilà runs the notebook before it answers


def serve(tmp_path: Path, *args: str, code: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = [sys.executable, "-c", code] if code else [sys.executable, "-m", "simulator"]
    return subprocess.Popen([*start, "serve", "--lang", "en", "--port-offset",
                             str(free_offset()), "--students", "2", "--passwords",
                             str(tmp_path / "pw.csv"), "--trace", str(tmp_path / "live.jsonl"),
                             "--dashboard", "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=tmp_path, start_new_session=True)


def started(tmp_path: Path, code: str | None = None) -> tuple[subprocess.Popen, str]:
    """The server and its banner up to ``ready``; another port offset when the first was
    lost to another program between :func:`free_offset` and the bind (see ``said_ready``)."""
    for _ in range(5):
        process = serve(tmp_path, code=code)
        lines: list[str] = []
        if said_ready(process, lines):
            return process, "".join(lines)
        process.wait(60)                            # it is exiting; bounded
    pytest.fail("mailsim serve did not get ready in 5 attempts:\n" + "".join(lines))


def rendered(url: str, process: subprocess.Popen) -> str:
    """The page, once Voilà (started with the server, in the background) answers."""
    deadline = time.monotonic() + RENDER
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=RENDER) as response:
                return response.read().decode("utf-8")
        except ConnectionRefusedError:
            time.sleep(0.5)                         # Voilà is starting: poll, bounded
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer at {url}")


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_without_voila_serve_says_what_to_install_and_serves_on(tmp_path):
    process, text = started(tmp_path, code=WITHOUT_VOILA)
    try:
        assert 'needs Voilà, which is not installed: pip install "mailsim[lab]"' in text
        port = int(re.search(r"submission\s+SMTP\s+127\.0\.0\.1:(\d+)", text).group(1))
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.noop()[0] == 250
    finally:
        assert stop(process) == 0


def test_serve_dashboard_renders_the_class_in_voila_and_ends_with_the_server(tmp_path):
    pytest.importorskip("voila", reason="the lab extra (voila) is missing")
    process, text = started(tmp_path)
    try:
        url = re.search(r"Teacher's dashboard: (http://127\.0\.0\.1:\d+/)", text).group(1)
        page = rendered(url, process)
        assert re.search(r"<title>[^<]*The teacher's dashboard", page)
        assert "application/vnd.jupyter.widget-view+json" in page
        assert "Traceback" not in page and '"output_type": "error"' not in page
    finally:
        assert stop(process) == 0
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as sock:                   # Voilà ended with the server
        assert sock.connect_ex(("127.0.0.1", port)) != 0
