"""``mailsim lab``: open the course notebooks in JupyterLab (or as a code-free Voilà site).

The server's root is the whole ``notebooks/`` folder, so the file browser
reaches both ``ru/`` and ``en/``; the browser opens the index of the chosen
language.  The notebooks are not part of the installed package: they are found
next to it (an editable install or a clone) or in ``--notebooks DIR``.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The first page of the course in each language, relative to ``notebooks/``.  The file
#: names differ by language, so two open tabs (and the file browser) tell them apart.
INDEX = {"ru": "ru/00_оглавление.ipynb", "en": "en/00_contents.ipynb"}
#: The tour, the first notebook an index points to.
TOUR = {"ru": "ru/01_экскурсия.ipynb", "en": "en/01_tour.ipynb"}


class NotebooksNotFound(Exception):
    """No ``notebooks/`` folder with the course in it."""


def find_notebooks(explicit: str | None = None) -> Path:
    """The course folder: ``explicit``, else ``./notebooks``, else the one beside the package."""
    candidates = [Path(explicit)] if explicit else [
        Path.cwd() / "notebooks", Path(__file__).resolve().parents[1] / "notebooks"]
    for folder in candidates:
        if all((folder / page).is_file() for page in INDEX.values()):
            return folder.resolve()
    raise NotebooksNotFound(str(candidates[0]))


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
