"""The tour as a code-free student view: Voilà executes it and serves the widgets.

``voila --no-browser`` runs the notebook in a kernel on a free port; the page
it returns must carry the players' widget views and no error output.  The
widgets themselves are checked in a browser by test_tour_in_browser.py.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("voila", reason="the lab extra (voila) is missing")
from simulator.lab import TOUR

ROOT = Path(__file__).resolve().parents[2]
STARTUP = 60            # seconds for Voilà to listen
RENDER = 180            # seconds for the page: every cell of the tour is executed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, process: subprocess.Popen) -> str:
    """The page at ``url`` once Voilà listens (it executes the notebook before answering)."""
    deadline = time.monotonic() + STARTUP
    while True:
        if process.poll() is not None:
            pytest.fail("voila exited early")
        try:
            with urllib.request.urlopen(url, timeout=RENDER) as response:
                return response.read().decode("utf-8")
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionError):
                raise
            if time.monotonic() > deadline:
                pytest.fail(f"voila did not listen within {STARTUP} s")
            time.sleep(0.5)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_voila_renders_the_tour_without_errors(lang, tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", str(ROOT / "notebooks" / TOUR[lang])]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, start_new_session=True)
    try:
        page = fetch(f"http://127.0.0.1:{port}/", process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    assert page.count("application/vnd.jupyter.widget-view+json") >= 4
    assert '"output_type": "error"' not in page and "Traceback" not in page
