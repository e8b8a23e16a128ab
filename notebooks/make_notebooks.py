"""Writes every course notebook in ru and en from its one source in ``src/``.

Run: ``python notebooks/make_notebooks.py``.  Each ``src/NN_*.py`` holds one
notebook: ``FILES`` (its file name in each language), ``TITLE`` and ``CELLS``,
Russian and English side by side in each markdown cell and one text for each
code cell (see ``src/_nb.py``), so the two languages cannot drift apart.
The .ipynb files are committed; tests/test_notebooks.py checks that they are
exactly what this script writes and runs each of them in a fresh kernel.
Outputs are left empty.

Voilà shows the markdown and the outputs but not the code, so every
instruction about code (Shift+Enter, ``player.show(14)``) lives in a code
comment, never in the markdown.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
SOURCES = HERE / "src"
LANGS = ("ru", "en")


def sources(pattern: str = "[0-9][0-9]_*.py") -> list[ModuleType]:
    """Every notebook source of the course, in the order of its number."""
    sys.path.insert(0, str(SOURCES))
    try:
        modules = []
        for path in sorted(SOURCES.glob(pattern)):
            spec = importlib.util.spec_from_file_location(f"nb_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules.append(module)
        return modules
    finally:
        sys.path.remove(str(SOURCES))


def teacher_sources() -> list[ModuleType]:
    """The teacher's notebooks (``src/teacher_*.py``): not lessons, so the index does not
    list them and they end without self-check questions; ru and en share their code too."""
    return sources("teacher_*.py")


def build(source: ModuleType, lang: str) -> nbformat.NotebookNode:
    """The notebook of ``source`` in ``lang``: its markdown in that language, the same code."""
    cells = []
    for number, cell in enumerate(source.CELLS):
        made = (new_code_cell(cell.source) if type(cell).__name__ == "Code"
                else new_markdown_cell(getattr(cell, lang)))
        made.id = f"{Path(source.__file__).stem[:2]}-{number:02d}"   # stable: no spurious diff
        cells.append(made)
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["title"] = source.TITLE[lang]     # the page title in Voilà and nbconvert
    return notebook


def main() -> None:
    for source in sources() + teacher_sources():
        for lang in LANGS:
            (HERE / lang).mkdir(exist_ok=True)
            nbformat.write(build(source, lang), HERE / lang / f"{source.FILES[lang]}.ipynb")


if __name__ == "__main__":
    main()
