"""Every notebook under notebooks/ runs from top to bottom without an error (nbclient)."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from simulator.lab import INDEX, TOUR

NOTEBOOKS = sorted(p for p in (Path(__file__).parent.parent / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)     # JupyterLab's autosave copies


def test_there_is_an_index_and_a_tour_in_each_language_with_their_own_names():
    names = {p.relative_to(p.parents[1]).as_posix() for p in NOTEBOOKS}
    assert set(INDEX.values()) | set(TOUR.values()) <= names
    titles = {nbformat.read(NOTEBOOKS[0].parents[1] / page, as_version=4).metadata["title"]
              for page in (*INDEX.values(), *TOUR.values())}
    assert len(titles) == 4                 # a tab or a Voilà page says which one it is


def test_each_index_links_to_its_tour_and_to_the_other_language():
    root = NOTEBOOKS[0].parents[1]
    for lang, other in (("ru", "en"), ("en", "ru")):
        text = nbformat.read(root / INDEX[lang], as_version=4).cells[0].source
        links = re.findall(r"\]\(([^)]+)\)", text)
        assert Path(TOUR[lang]).name in links and f"../{INDEX[other]}" in links
        assert all((root / lang / link).resolve().is_file() for link in links)


def test_markdown_gives_no_instructions_about_code():
    """Voilà hides the code cells, so the text shown with them must not talk about code."""
    code_words = re.compile(r"Shift\+Enter|\.show\(|Run All|из кода|from code")
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                assert not code_words.search(cell.source), (path.name, cell.source[:80])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []


def test_committed_notebooks_match_their_generator():
    """notebooks/make_tour.py writes the tours; the committed files must be its output."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_tour", NOTEBOOKS[0].parents[1] /
                                                  "make_tour.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = NOTEBOOKS[0].parents[1]
    for lang in ("ru", "en"):
        for page, built in ((TOUR[lang], module.build(lang)),
                            (INDEX[lang], module.build_index(lang))):
            committed = nbformat.read(root / page, as_version=4)
            assert [c.source for c in committed.cells] == [c.source for c in built.cells]
            assert committed.metadata["title"] == built.metadata["title"]
