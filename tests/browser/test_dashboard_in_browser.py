"""The teacher's dashboard in Chromium at 1366×768, served by Voilà as ``mailsim serve
--dashboard`` serves it, following a server that real clients are using.

A student sends a message over TLS before the page opens: their row shows the first
step done.  They then download it over POP3 and leave it there while the page is open:
the kernel's timer brings two more ticks to the row, with no reload.  The table fits
the screen's width.
"""
from __future__ import annotations

import os
import poplib
import random
import smtplib
import ssl
import sys
from pathlib import Path

import pytest
from browser_kit import ARTIFACTS, CHROMIUM, VIEWPORT, chromium_page, notebooks_copy, server

from simulator.server import LiveServer, ServeOptions
from simulator.server.roster import read_roster

pytest.importorskip("voila", reason="the lab extra (voila) is missing")
pytest.importorskip("playwright.sync_api", reason="the browser extra is missing")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium")


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def live_server(tmp_path: Path) -> LiveServer:
    """``mailsim serve --students 3 --trace`` in a thread, on ports another test may not hold."""
    for attempt in range(10):
        options = ServeOptions(port_offset=random.randrange(20000, 60000, 7), students=3,
                               passwords_path=str(tmp_path / "pw.csv"),
                               trace_path=str(tmp_path / "live.jsonl"), login_delay=0.0)
        try:
            return LiveServer(options).start()
        except OSError:
            if attempt == 9:
                raise
    raise AssertionError("unreachable")


def done_cells(page, login: str) -> int:
    return page.locator(f"tr[data-student='{login}@example.test'] td.done").count()


def test_the_dashboard_follows_the_class_in_the_browser(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    live = live_server(tmp_path)
    try:
        student = read_roster(tmp_path / "pw.csv")[0]
        with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as client:
            client.starttls(context=unverified())
            client.login(student.login, student.password)
            client.sendmail(f"{student.login}@example.test", [f"{student.login}@example.test"],
                            b"Subject: lab\r\n\r\nhello\r\n")
        for name, value in (("TRACE", tmp_path / "live.jsonl"), ("CLASS", tmp_path / "pw.csv")):
            monkeypatch.setenv(f"MAILSIM_DASHBOARD_{name}", str(value))
        root = notebooks_copy(tmp_path)
        command = [sys.executable, "-m", "voila", str(root / "en" / "teacher_dashboard.ipynb"),
                   "--port={port}", "--no-browser", "--Voila.ip=127.0.0.1"]
        with server(command, tmp_path, root / "en", "/", "voila") as base, \
                chromium_page() as page:
            page.goto(base + "/", wait_until="domcontentloaded")
            row = page.locator(f"tr[data-student='{student.login}@example.test']")
            row.wait_for()
            assert done_cells(page, student.login) == 1
            pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
            pop.stls(unverified())
            pop.user(student.login)
            pop.pass_(student.password)
            pop.retr(1)
            pop.quit()
            page.wait_for_function(
                f"() => document.querySelectorAll(\"tr[data-student='{student.login}"
                f"@example.test'] td.done\").length === 3", polling=250)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= VIEWPORT["width"]
            table = page.locator(".mailsim-dash table").first.bounding_box()
            assert table["x"] >= 0 and table["x"] + table["width"] <= VIEWPORT["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "teacher-dashboard-1366x768.png"))
    finally:
        live.stop()
    assert os.path.exists(ARTIFACTS / "teacher-dashboard-1366x768.png")
