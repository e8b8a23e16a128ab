"""``mailsim lab``: open the course notebooks in JupyterLab (or as a code-free Voilà site).

The server's root is a folder with ``ru/`` and ``en/``, so the file browser
reaches both languages; the browser opens the index of the chosen language.

A student works in a copy: on first run the course (the notebooks, and the
exercises in ``exercises/``) is copied from the installed package to a
per-user working folder (``--dir``), and the server runs there, so a student's
edits never touch the package and survive an upgrade.  Later runs copy only
files that are new in the course and never overwrite one already there.
``--notebooks DIR`` serves a folder in place instead (``make lab`` does, for
the repository's own ``notebooks/``).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import webbrowser
from importlib import resources
from pathlib import Path

#: The first page of the course in each language, relative to ``notebooks/``.  The file
#: names differ by language, so two open tabs (and the file browser) tell them apart.
INDEX = {"ru": "ru/00_оглавление.ipynb", "en": "en/00_contents.ipynb"}
#: The tour, the first notebook an index points to.
TOUR = {"ru": "ru/01_экскурсия.ipynb", "en": "en/01_tour.ipynb"}
#: The teacher's live view of a class (``mailsim serve --dashboard``), in each language.
DASHBOARD = {"ru": "ru/teacher_dashboard.ipynb", "en": "en/teacher_dashboard.ipynb"}
#: Files of the repository's folders that are tools, not course material.
NOT_COURSE = ("*.py", "__pycache__", ".ipynb_checkpoints")


def notebook_lang(folder: Path | None = None) -> str:
    """The language of the notebook being run: its folder's name (``ru``/``en``).

    A kernel started by JupyterLab, Notebook, Voilà or nbclient runs in the
    notebook's own folder, so the code cells of ``ru/`` and ``en/`` can be the
    same text; elsewhere the user's default language.
    """
    from simulator.locale import LANGUAGES, default_lang
    name = (folder or Path.cwd()).name
    return name if name in LANGUAGES else default_lang()


class NotebooksNotFound(Exception):
    """No ``notebooks/`` folder with the course in it."""


def _is_course(folder: Path) -> bool:
    return all((folder / page).is_file() for page in INDEX.values())


def find_notebooks(explicit: str | None = None) -> Path:
    """The course folder: ``explicit``, else ``./notebooks``, else the installed course."""
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = [Path.cwd() / "notebooks"]
        try:
            candidates.append(course_source())
        except NotebooksNotFound:
            pass
    for folder in candidates:
        if _is_course(folder):
            return folder.resolve()
    raise NotebooksNotFound(str(candidates[0]))


def course_source() -> Path:
    """The course as installed: ``simulator/course/notebooks`` in a wheel (see setup.py),
    else ``notebooks/`` beside the package (a clone or an editable install)."""
    packaged = resources.files("simulator") / "course" / "notebooks"
    for folder in (Path(str(packaged)), Path(__file__).resolve().parents[1] / "notebooks"):
        if _is_course(folder):
            return folder
    raise NotebooksNotFound(str(packaged))


def exercises_source() -> Path | None:
    """The exercises shipped beside the notebooks (package data or the repository's), if any."""
    folder = course_source().parent / "exercises"
    return folder if folder.is_dir() else None


def course_bank(name: str) -> Path:
    """A question bank of the course by name (``"smtp"``, ``"lab16/lab16"``): the one beside
    the running notebook — ``../exercises`` in a student's working copy, ``../../exercises``
    in the repository — else the one installed with the package."""
    relative = Path(f"{name}.yaml")
    here = Path.cwd()
    shipped = exercises_source()
    for folder in (here.parent / "exercises", here.parent.parent / "exercises", shipped):
        if folder is not None and (folder / relative).is_file():
            return folder / relative
    raise FileNotFoundError(f"no question bank {relative} next to {here} or in the package")


def default_workdir() -> Path:
    """Where a student's copy of the course goes: ``Documents/mailsim`` in the home folder
    (Windows, macOS and most Linux desktops have one), else ``~/mailsim``."""
    home = Path.home()
    documents = home / "Documents"
    return (documents if documents.is_dir() else home) / "mailsim"


def prepare_workdir(workdir: Path) -> list[Path]:
    """Copy the course into ``workdir``: every file it lacks, none it has (a student's edit
    stays).  The notebooks go to its top (``ru/``, ``en/``), the exercises to ``exercises/``.
    Returns the files copied now (relative to ``workdir``)."""
    pairs = [(course_source(), workdir)]
    exercises = exercises_source()
    if exercises is not None:
        pairs.append((exercises, workdir / "exercises"))
    copied = []
    for source, target in pairs:
        ignore = shutil.ignore_patterns(*NOT_COURSE)
        for folder, names in _walk(source, ignore):
            for name in names:
                src = folder / name
                dst = target / src.relative_to(source)
                if dst.exists():
                    continue
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
                copied.append(dst.relative_to(workdir))
    return copied


def _walk(source: Path, ignore):
    """(folder, file names) under ``source``, without what ``ignore`` leaves out."""
    for folder, dirs, files in os.walk(source):
        skipped = ignore(folder, dirs + files)
        dirs[:] = [d for d in dirs if d not in skipped]
        yield Path(folder), sorted(f for f in files if f not in skipped)


def command(root: Path, lang: str, voila: bool = False, browser: bool = True,
            port: int | None = None) -> list[str]:
    """The Jupyter command line that serves ``root`` and opens the ``lang`` index.

    Voilà runs in its tree mode (``voila DIR``) so the index's links to other
    notebooks work; it renders every notebook without its code cells.
    """
    if voila:
        # Voilà opens its tree page (ru/, en/); each index is one click away.
        args = [sys.executable, "-m", "voila", str(root)]
        if not browser:
            args.append("--no-browser")
    else:
        args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
                f"--LabApp.default_url=/lab/tree/{INDEX[lang]}"]
        if not browser:
            args.append("--no-browser")
    if port:
        args.append(f"--port={port}")
    # Jupyter refuses to run as root unless told; containers and lab machines often are root.
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not voila:
        args.append("--allow-root")
    return args


def run(root: Path, lang: str, voila: bool = False, browser: bool = True,
        port: int | None = None) -> int:
    """Run Jupyter in the foreground until Ctrl-C; its exit status."""
    return subprocess.call(command(root, lang, voila, browser, port), cwd=root)


# -- mailsim serve --dashboard ---------------------------------------------------------------

class DashboardUnavailable(Exception):
    """The dashboard cannot open; ``key`` and ``params`` say why (``serve.dashboard.*``)."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class Dashboard:
    """Voilà serving the teacher's dashboard notebook, a child process of ``mailsim serve``."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def ready(self, seconds: float = 60.0) -> bool:
        """Whether Voilà answers within ``seconds`` (False at once if it has exited)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    return True
            except OSError:
                time.sleep(0.25)        # a server that is starting: poll, bounded
        return False

    def stop(self) -> None:
        """End Voilà (and the kernel it started)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dashboard(lang: str, environment: dict[str, str], browser: bool = True,
                    port: int | None = None, on_failure=None) -> Dashboard:
    """Start Voilà on the teacher's dashboard (``DASHBOARD[lang]``) on a free local port.

    ``environment`` (``MAILSIM_DASHBOARD_*``, see ``simulator.widgets.dashboard``) tells
    the notebook the server's trace file, class and bank.  Voilà listens on this machine
    only: the grades are the teacher's.  ``browser`` opens the page once Voilà answers;
    ``on_failure(dashboard)`` is called (from a thread) if Voilà exits before it answers.
    DashboardUnavailable when Voilà or the notebook is not installed.
    """
    if importlib.util.find_spec("voila") is None:
        raise DashboardUnavailable("serve.dashboard.no_voila")
    try:
        notebook = course_source() / DASHBOARD[lang]
    except NotebooksNotFound as exc:
        raise DashboardUnavailable("serve.dashboard.no_notebook", path=str(exc)) from None
    if not notebook.is_file():
        raise DashboardUnavailable("serve.dashboard.no_notebook", path=str(notebook))
    port = port or _free_port()
    log = Path(tempfile.gettempdir()) / f"mailsim-dashboard-{port}.log"
    # No quiet move to the next port when this one was taken meanwhile: the URL printed
    # for the teacher must be Voilà's own, so a taken port is a failure (on_failure).
    args = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    with log.open("w") as out:
        # Voilà's kernel runs in the notebook's folder, which names its language.
        process = subprocess.Popen(args, cwd=notebook.parent, env={**os.environ, **environment},
                                   stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    dashboard = Dashboard(process, f"http://127.0.0.1:{port}/", log)

    def watch() -> None:
        if dashboard.ready():
            if browser:
                webbrowser.open(dashboard.url)
        elif process.poll() is not None and on_failure is not None:
            on_failure(dashboard)
    threading.Thread(target=watch, name="mailsim-dashboard", daemon=True).start()
    return dashboard
