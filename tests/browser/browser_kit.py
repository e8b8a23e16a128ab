"""What the browser tests share: servers (JupyterLab, Voilà), a Chromium page, waits, geometry.

Chromium is Debian's (``/usr/bin/chromium``; Playwright never downloads one).
Every wait is for a condition the page shows — the kernel connected and idle,
every code cell executed, the player's current row visible — with a bound
(``PAGE`` ms), never a fixed sleep.  Servers are killed in a ``finally``, so a
broken browser or server fails the test instead of hanging the suite.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("MAILSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: One token per test run: a page can never log in to another run's server, even one that
#: got the same port a moment later on a busy machine.
TOKEN = f"mailsim-browser-{secrets.token_hex(8)}"
VIEWPORT = {"width": 1366, "height": 768}      # the laptop screen of issue 10
START_ATTEMPTS = 3    # a port taken between free_port() and the bind
SERVER_START = 120         # seconds for a server to answer (a loaded machine is slow)
PAGE = 180_000             # ms for each wait in the page: the kernel, the cells, the widgets

#: JupyterLab and Notebook 7 both expose their app (``expose_app_in_browser``); this is
#: true once the open notebook's kernel is connected and idle.
KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const context = panel && panel.sessionContext;
  const kernel = context && context.session && context.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
    && panel.context.isReady && !context.isRestarting;
}"""
#: True once every code cell of the open notebook has run and the kernel is idle again.
ALL_CELLS_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  const cells = Array.from(panel.content.model.cells);
  return kernel.status === 'idle'
    && cells.filter(c => c.type === 'code').every(c => c.executionCount !== null);
}"""
#: Any error output in the open notebook (its text), or '' when there is none.
ERRORS = """() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)
  .filter(c => c.type === 'code')
  .flatMap(c => Array.from({length: c.outputs.length}, (_, i) => c.outputs.get(i)))
  .filter(o => o.type === 'error').map(o => JSON.stringify(o.toJSON())).join('\\n')"""


#: Scroll the notebook to the first cell with a widget in its output; its cell index.  The
#: notebook is a windowed list: cells far from the viewport are not in the page, so "the
#: first player in the page" is not the first player of the notebook until it is in view.
SCROLL_TO_FIRST_WIDGET = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = Array.from(panel.content.model.cells);
  const index = cells.findIndex(c => c.type === 'code'
    && Array.from({length: c.outputs.length}, (_, i) => c.outputs.get(i))
         .some(o => o.data && 'application/vnd.jupyter.widget-view+json' in o.data));
  await panel.content.scrollToItem(index, 'start');
  return index;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, what: str) -> bool:
    """True once ``url`` answers; False if the server exited first (its port was taken)."""
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except OSError:
            time.sleep(0.5)          # polling a server that is starting, not ordering
    pytest.fail(f"{what} did not answer in {SERVER_START} s:\n{log.read_text()[-3000:]}")


#: JupyterLab's user settings for the tests: no "get notified about Jupyter news?" toast
#: over the page (it would cover what the screenshots are about).
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                '{"fetchNews": "false"}'}


def _env(tmp_path: Path) -> dict[str, str]:
    settings = tmp_path / "lab-settings"
    for name, text in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(text)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "MAILSIM_LANG": "en"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@contextmanager
def server(command: list[str], tmp_path: Path, root: Path, status: str,
           what: str) -> Iterator[str]:
    """Run ``command`` (a Jupyter server on ``{port}``) in ``root``; yield its base URL.

    The port is free when :func:`free_port` looks, but another program may bind it before
    the server does; the server then exits (no silent move to the next port), and it is
    started again on another port."""
    log = tmp_path / f"{what}.log"
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        with log.open("w") as out:
            process = subprocess.Popen([a.format(port=port) for a in command], stdout=out,
                                       stderr=subprocess.STDOUT, env=_env(tmp_path), cwd=root,
                                       start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        if _wait_until_up(base + status, process, log, what):
            break
    else:
        pytest.fail(f"{what} exited early:\n{log.read_text()[-3000:]}")
    try:
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def needs_chromium() -> None:
    """Skip the calling test module (call it at module level) without Playwright (the
    browser extra) or without a Chromium binary."""
    pytest.importorskip("playwright.sync_api", reason="the browser extra is missing")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)",
                    allow_module_level=True)


@contextmanager
def jupyter_server(root: Path, tmp_path: Path) -> Iterator[str]:
    """JupyterLab (and Notebook 7) serving ``root``; yields its base URL."""
    with server(jupyter_command(root), tmp_path, root, f"/api/status?token={TOKEN}",
                "jupyter") as base:
        yield base


def one_cell_notebook(tmp_path: Path, name: str, code: str) -> Path:
    """A notebooks folder holding ``name`` with one code cell, for a widget on its own;
    the folder."""
    import nbformat
    root = tmp_path / "notebooks"
    root.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)], metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(notebook, root / name)
    return root


def notebooks_copy(tmp_path: Path) -> Path:
    """A copy of notebooks/: JupyterLab autosaves the notebooks it runs, outputs and all."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


def jupyter_command(root: Path) -> list[str]:
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
               "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
               "--LabApp.expose_app_in_browser=True",
               "--JupyterNotebookApp.expose_app_in_browser=True", "--LabApp.news_url="]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def voila_command(root: Path) -> list[str]:
    """Voilà in its tree mode, as ``mailsim lab --voila`` runs it."""
    return [sys.executable, "-m", "voila", str(root), "--no-browser", "--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]


@contextmanager
def chromium_page() -> Iterator:
    """A fresh headless Chromium page at 1366×768 (Debian's binary, never a downloaded one)."""
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    headless=True, timeout=120_000)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(PAGE)
            yield page
        finally:
            browser.close()


def open_and_run_all(page, url: str) -> None:
    """Open a notebook, wait until its kernel is connected and idle, run every cell, wait
    until every code cell has run, and fail on any error output."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-Notebook").first.wait_for()
    page.wait_for_function(KERNEL_READY, polling=250)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, polling=250)
    assert page.evaluate(ERRORS) == ""


def first_player(page):
    """The first player of the open notebook (scrolled into view; see SCROLL_TO_FIRST_WIDGET)."""
    index = page.evaluate(SCROLL_TO_FIRST_WIDGET)
    assert index >= 0, "no cell shows a widget"
    return page.locator(f".jp-Cell[data-windowed-list-index='{index}'] .mailsim-player").first


def current_row(player):
    return player.locator(".mailsim-transcript [data-current='true']").first


def current_index(player) -> str | None:
    """The ``data-index`` of the transcript row marked current in ``player``."""
    row = player.locator(".mailsim-transcript [data-current='true']")
    return row.first.get_attribute("data-index") if row.count() else None


def step_player(player) -> tuple[str, str, str]:
    """Click "next" on ``player``; (index before, index after, the new current row's text)."""
    current_row(player).wait_for()
    before = current_index(player)
    player.locator(".mailsim-next").click()
    player.locator(f".mailsim-transcript [data-current='true']"
                   f":not([data-index='{before}'])").first.wait_for()
    return before, current_index(player), current_row(player).inner_text()


def step_by_key(page, player) -> tuple[str, str]:
    """Give ``player`` the focus and press →; (index before, index after)."""
    before = current_index(player)
    player.focus()
    page.keyboard.press("ArrowRight")
    player.locator(f".mailsim-transcript [data-current='true']"
                   f":not([data-index='{before}'])").first.wait_for()
    return before, current_index(player)


def assert_fits_the_screen(page, player, name: str) -> dict[str, dict]:
    """Scroll ``player`` to the top; its next button, current row and picture must all be
    inside the 1366×768 viewport and not covered.  The screenshot is kept as an artefact."""
    player.evaluate("el => el.scrollIntoView({block: 'start'})")
    parts = {"next": player.locator(".mailsim-next").first, "row": current_row(player),
             "picture": player.locator(".mailsim-picture").first}
    try:
        for part in parts.values():
            part.wait_for(state="visible")
    finally:        # on a failure too: the screenshot shows what was on the screen
        page.screenshot(path=str(ARTIFACTS / f"player-1366x768-{name}.png"))
    boxes = {key: part.bounding_box() for key, part in parts.items()}
    for key, box in boxes.items():
        assert box is not None and box["width"] > 0 and box["height"] > 0, key
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], (key, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (key, box)
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        on_top = parts[key].evaluate("(el, [x, y]) => el.contains(document.elementFromPoint(x, y))",
                                     list(centre))
        assert on_top, f"the {key} is covered by another element at {centre}"
    return boxes
