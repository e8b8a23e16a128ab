"""Every notebook under notebooks/ runs from top to bottom without an error (nbclient)."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted(p for p in (Path(__file__).parent.parent / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)     # JupyterLab's autosave copies


def test_there_is_a_tour_in_each_language():
    names = {p.relative_to(p.parents[1]).as_posix() for p in NOTEBOOKS}
    assert {"ru/00_tour.ipynb", "en/00_tour.ipynb"} <= names


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
    for lang in ("ru", "en"):
        committed = nbformat.read(NOTEBOOKS[0].parents[1] / lang / "00_tour.ipynb", as_version=4)
        assert [c.source for c in committed.cells] == [c.source for c in module.build(lang).cells]
