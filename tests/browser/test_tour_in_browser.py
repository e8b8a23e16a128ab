"""The tour in a real browser: JupyterLab + headless Chromium (Debian's) driven by Playwright.

The test starts JupyterLab from this venv on a free port with a token, opens
``notebooks/en/01_tour.ipynb``, runs every cell, clicks "next" on the first
player (the button with the CSS class ``mailsim-next``) and checks that the
transcript's current line moves.  The screenshot goes to ``test-artifacts/``.

Everything has a timeout and JupyterLab is killed in a ``finally``, so a
broken browser or server fails the test instead of hanging the suite.  The
test skips only when no Chromium binary exists (``.ci/run`` installs it).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("MAILSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOKEN = "mailsim-browser-test"
SERVER_START = 90          # seconds for JupyterLab to answer
PAGE = 60_000              # ms for each wait: the page, the kernel, the widgets

playwright = pytest.importorskip("playwright.sync_api", reason="the browser extra is missing")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in {SERVER_START} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab serving a copy of notebooks/ on a free port; yields its base URL.

    A copy, because JupyterLab autosaves the notebook it runs, outputs and all.
    """
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port = free_port()
    log = tmp_path / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
               f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url="]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "MAILSIM_LANG": "en"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=root, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/status?token={TOKEN}", process, log)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def current_index(player) -> str | None:
    """The ``data-index`` of the transcript row marked current in ``player``."""
    row = player.locator(".mailsim-transcript [data-current='true']")
    return row.first.get_attribute("data-index") if row.count() else None


def open_and_run_all(page, url: str) -> None:
    """Open the notebook, wait for an idle kernel, run every cell."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-Notebook").wait_for()
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands"
                           ".isEnabled('notebook:run-all-cells')")
    page.wait_for_function("() => { const bar = document.querySelector('#jp-main-statusbar');"
                           " return bar && bar.innerText.includes('Idle'); }")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


@contextmanager
def chromium_page():
    """A fresh headless Chromium page (Debian's binary, never a downloaded one)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    headless=True, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(PAGE)
            yield page
        finally:
            browser.close()


def step_player(page) -> tuple[str, str, str]:
    """Click "next" on the first player; (index before, index after, current line)."""
    player = page.locator(".mailsim-player").first
    player.locator(".mailsim-transcript [data-current='true']").first.wait_for()
    before = current_index(player)
    player.locator(".mailsim-next").click()
    player.locator(f".mailsim-transcript [data-current='true']"
                   f":not([data-index='{before}'])").first.wait_for()
    after = current_index(player)
    text = player.locator(".mailsim-transcript [data-current='true']").first.inner_text()
    return before, after, text


def test_tour_runs_and_the_player_steps_in_chromium(lab):
    with chromium_page() as page:
        open_and_run_all(page, f"{lab}/lab/tree/en/01_tour.ipynb?token={TOKEN}")
        before, after, text = step_player(page)
        page.screenshot(path=str(ARTIFACTS / "tour-in-chromium.png"))
    # The tour itself moves this player to step 13 (player.show(13)); next goes one further.
    assert int(after) == int(before) + 1 and text.startswith(f"#{after}")


def test_tour_runs_and_the_player_steps_in_notebook_7(lab):
    """The same in Notebook 7's page (/notebooks/…), served by the same Jupyter server."""
    with chromium_page() as page:
        page.goto(f"{lab}/notebooks/en/01_tour.ipynb?token={TOKEN}",
                  wait_until="domcontentloaded")
        page.locator(".jp-Notebook").wait_for()
        # Notebook 7 does not expose its app object: use its Run menu like a student.
        page.get_by_text("Kernel status: Idle").first.wait_for(state="attached")
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        before, after, _ = step_player(page)
        page.screenshot(path=str(ARTIFACTS / "tour-in-notebook-7.png"))
    assert int(after) == int(before) + 1
