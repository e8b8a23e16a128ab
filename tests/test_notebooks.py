"""The course notebooks: generated from notebooks/src, the same in ru and en, and each one
runs from top to bottom in a fresh kernel (nbclient)."""
import ast
import html
import importlib.util
import json
import re
import tempfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from simulator.lab import INDEX, TOUR
from simulator.locale import recording_shown, texts
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

ROOT = Path(__file__).parent.parent / "notebooks"
NOTEBOOKS = sorted(p for p in ROOT.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)     # JupyterLab's autosave copies


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()
SOURCES = GENERATOR.sources()
#: The course's lessons and the teacher's notebooks (the dashboard): all generated, ru = en code.
EVERY_SOURCE = SOURCES + GENERATOR.teacher_sources()


def _read(lang: str, source) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / lang / f"{source.FILES[lang]}.ipynb", as_version=4)


def test_there_is_an_index_and_a_tour_in_each_language_with_their_own_names():
    names = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    assert set(INDEX.values()) | set(TOUR.values()) <= names
    titles = {nbformat.read(ROOT / page, as_version=4).metadata["title"]
              for page in (*INDEX.values(), *TOUR.values())}
    assert len(titles) == 4                 # a tab or a Voilà page says which one it is


def test_each_index_links_to_every_notebook_and_to_the_other_language():
    for lang, other in (("ru", "en"), ("en", "ru")):
        text = nbformat.read(ROOT / INDEX[lang], as_version=4).cells[0].source
        links = re.findall(r"\]\(([^)]+)\)", text)
        assert Path(TOUR[lang]).name in links and f"../{INDEX[other]}" in links
        assert all((ROOT / lang / link).resolve().is_file() for link in links)
        assert len(links) == len(SOURCES)   # every notebook but itself, and the other index


def test_markdown_gives_no_instructions_about_code():
    """Voilà hides the code cells, so the text shown with them must not talk about code."""
    code_words = re.compile(r"Shift\+Enter|\.show\(|Run All|из кода|from code|"
                            r"[Вв]ыполните ячейк|[Rr]un the cell")
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                assert not code_words.search(cell.source), (path.name, cell.source[:80])


def test_every_committed_notebook_is_what_its_source_generates():
    """notebooks/make_notebooks.py writes them; nobody edits an .ipynb by hand."""
    generated = {f"{lang}/{source.FILES[lang]}.ipynb" for source in EVERY_SOURCE
                 for lang in ("ru", "en")}
    assert {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS} == generated
    for source in EVERY_SOURCE:
        for lang in ("ru", "en"):
            committed, built = _read(lang, source), GENERATOR.build(source, lang)
            assert [(c.cell_type, c.id, c.source) for c in committed.cells] == \
                   [(c.cell_type, c.id, c.source) for c in built.cells], source.FILES[lang]
            assert committed.metadata == built.metadata
            assert not any(c.get("outputs") for c in committed.cells)   # outputs left empty


def test_both_languages_have_the_same_cells_with_the_same_code():
    for source in EVERY_SOURCE:
        ru, en = _read("ru", source), _read("en", source)
        assert [c.cell_type for c in ru.cells] == [c.cell_type for c in en.cells]
        assert [c.source for c in ru.cells if c.cell_type == "code"] == \
               [c.source for c in en.cells if c.cell_type == "code"]
        for a, b in zip(ru.cells, en.cells, strict=True):
            if a.cell_type == "markdown":      # translated, not copied: ru has Cyrillic, en none
                assert a.source != b.source and re.search("[а-яё]", a.source, re.IGNORECASE)


@pytest.mark.parametrize("source", [s for s in SOURCES if s.CELLS[1:]],
                         ids=lambda s: s.FILES["en"])
def test_every_notebook_ends_with_self_check_questions_and_hidden_answers(source):
    for lang, heading in (("ru", "## Проверьте себя"), ("en", "## Check yourself")):
        last = _read(lang, source).cells[-1]
        assert last.cell_type == "markdown" and last.source.startswith(heading)
        assert last.source.count("<details>") >= 1
        assert last.source.count("<details>") == len(re.findall(r"^\d+\. ", last.source, re.MULTILINE))


# -- running every notebook, and what it shows ------------------------------------------------
#: Prepended to a notebook under test: from here on its kernel records every text key t() renders.
RECORD = ("import simulator.locale as _locale\n"
          "_recording = _locale.recording_shown()   # held: a dropped one would stop recording\n"
          "_texts = _recording.__enter__()")
#: Appended: prints (JSON) those keys and every explanation key of the steps the notebook
#: holds (a trace, a result, a player, a console, lists and dicts of them): what the
#: student reads or can step to.
REPORT = """
import json as _json

def _explanations(value, depth=0):
    if depth > 6 or isinstance(value, (str, bytes, type)):
        return
    if isinstance(getattr(value, "explain", None), str) and hasattr(value, "params"):
        yield value.explain
        yield from dict(value.params).get("notes", ())
        return
    for name in ("steps", "trace", "session"):
        inner = getattr(value, name, None)
        if inner is not None and not callable(inner):
            yield from _explanations(inner, depth + 1)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _explanations(item, depth + 1)

_held = {k for name, v in list(globals().items()) if not name.startswith("_")
         for k in _explanations(v)}
print(_json.dumps(sorted(_held | _texts)))
"""
#: Notebook → the keys it showed, filled as test_notebook_runs runs each one.
SHOWN: dict[Path, set[str]] = {}
#: Notebook → the notebook with its outputs, kept by run_notebook for the tests that read them.
EXECUTED: dict[Path, nbformat.NotebookNode] = {}


def run_notebook(path: Path) -> nbformat.NotebookNode:
    """Execute ``path`` in a fresh kernel in its folder, with the RECORD and REPORT probes.

    The kernel talks over IPC sockets in a private folder, not TCP ports on localhost: with
    several test runs on one machine, a port picked by one kernel could be taken by another
    before it binds, and the kernel would die mid-notebook."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [new_code_cell(RECORD), *notebook.cells, new_code_cell(REPORT)]
    with tempfile.TemporaryDirectory(prefix="mailsim-kernel-") as sockets:
        manager = KernelManager(kernel_name="python3", transport="ipc",
                                ip=str(Path(sockets) / "kernel"))
        NotebookClient(notebook, km=manager, timeout=300,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    # A long print may reach the notebook as several stream outputs (the kernel flushes
    # stdout in pieces when it is slow): the report is all of them, in order.
    report = "".join(o["text"] for o in notebook.cells[-1].outputs
                     if o.get("output_type") == "stream" and o.get("name") == "stdout")
    SHOWN[path] = set(json.loads(report))
    EXECUTED[path] = notebook
    return notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs(path):
    notebook = run_notebook(path)
    errors = [o for cell in notebook.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    html = " ".join(o.get("data", {}).get("text/html", "") for cell in notebook.cells
                    for o in cell.get("outputs", []))
    wrong = {"ru": "<th style='[^']*'>explanation<", "en": "<th style='[^']*'>пояснение<"}
    assert not re.search(wrong[path.parent.name], html)   # the kernel found its language


#: Texts of the interface, not explanations of mail: the CLI, widget labels, the server's
#: console lines, the classroom setup sheets, the EncodingLab's labels, the quizzes (issue
#: 12), and errors in a teacher's scenario file (its YAML and its zone texts).
NOT_EXPLANATIONS = ("cli.", "ui.", "encoding.lab.", "quiz.", "serve.", "scenario.", "sheet.",
                    "dns.zone_error.", "event.")     # event.K is the transcript's one-line summary of K
                                  # (tests/test_event_lines.py keeps them complete)


def shown_by_builtins() -> set[str]:
    """Every step's explanation (and notes) in every built-in trace, and the texts the
    simulation itself renders (a bounce's DSN)."""
    with recording_shown() as rendered:
        steps = [s for name in builtin_names() for s in simulate(load(name)).trace]
    return set(rendered) | {s.explain for s in steps} | {
        note for s in steps for note in s.params.get("notes", ())}


def test_every_explanation_text_is_shown_by_a_builtin_or_a_notebook():
    """An explanation nobody can see is dead text (issue 11): show it, or delete it."""
    shown = shown_by_builtins()
    for path in NOTEBOOKS:
        if path.parent.name == "ru":            # the same code runs in en
            if path not in SHOWN:               # this test alone: run the notebook now
                run_notebook(path)
            shown |= SHOWN[path]
    unused = sorted(k for k in texts("en") if not k.startswith(NOT_EXPLANATIONS)
                    and k not in shown)
    where = "\n".join(f"  {key}  (simulator/locale/{{ru,en}}/{key.split('.')[0]}.yaml)"
                      for key in unused)
    assert not unused, (
        f"{len(unused)} explanation texts are shown by no built-in scenario and no notebook:\n"
        f"{where}\nShow each one — in a built-in scenario (simulator/scenarios/*.yaml) whose "
        "trace has a step explained by it, or in a notebook (notebooks/src/NN_*.py, then "
        "python notebooks/make_notebooks.py) that runs such a step or renders it — or delete "
        "it from both languages.")


def test_the_kernel_takes_its_language_from_the_notebooks_folder(tmp_path):
    from simulator.lab import notebook_lang
    assert notebook_lang(ROOT / "ru") == "ru" and notebook_lang(ROOT / "en") == "en"
    assert notebook_lang(tmp_path) in ("ru", "en")


def test_the_readme_maps_every_question_and_mail_error_to_sections_that_exist():
    """notebooks/README.md names, for each Lab 16 control question and each error of the course
    text about mail, where an experiment answers it (issue 11); every "NN §M" it cites is a
    numbered section of that notebook, and every built-in it names exists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: m[2] for m in re.finditer(r"^\| (Q\d|E\d+) \|[^|]*\|(.*)\|$", text, re.MULTILINE)}
    assert set(rows) >= {f"Q{n}" for n in range(1, 9)} | {f"E{n}" for n in range(1, 21)}
    sections = {Path(s.__file__).stem[:2]: {int(n) for n in re.findall(
        r"^## (\d+)\.", "\n".join(c.ru for c in s.CELLS if hasattr(c, "ru")), re.MULTILINE)}
        for s in SOURCES}
    cited = re.findall(r"\b(0\d) §(\d+)(?:–(\d+))?", text)
    assert cited
    for notebook, first, last in cited:
        for number in range(int(first), int(last or first) + 1):
            assert number in sections[notebook], f"{notebook} §{number}"
    assert set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", text)) & set(builtin_names())
    for name in re.findall(r"`([a-z0-9]+-mistakes)`", text):
        assert name in builtin_names()


def _shown_text(notebook: nbformat.NotebookNode) -> str:
    """Every output of a run notebook as text, without HTML tags and with single spaces."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/html") or data.get("text/plain") or output.get("text", ""))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(" ".join(parts))))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_notebook_09_shows_the_corrections_e21_and_e22_and_asks_the_ftp_http_bank(lang):
    """E22: active FTP behind a NAT gets 425 and passive mode works; E21: four connections
    with Connection: close, one persistent, one pipelined, and 400 for a request without
    Host; then the Quiz over exercises/ftp_http.yaml."""
    path = next(p for p in NOTEBOOKS if p.parent.name == lang and p.name.startswith("09_"))
    shown = _shown_text(EXECUTED.get(path) or run_notebook(path))
    assert "425 Can't open data connection to 203.0.113.77:40000" in shown
    assert "227 Entering Passive Mode (203,0,113,21," in shown
    assert re.search(r"\) 4 4 \d+\.\d\d ", shown)                 # Connection: close
    assert len(re.findall(r"\) 4 1 \d+\.\d\d ", shown)) == 2        # persistent, pipelined
    assert "GET / HTTP/1.1 400 Bad Request" in shown               # the request without Host
    assert "Quiz(" in shown and "FTP" in shown


def test_the_readme_lists_each_notebooks_quiz_items_as_its_source_asks_them():
    """notebooks/README.md's table of Quiz cells is what the sources ask, and every item
    exists in its bank."""
    from simulator.quiz import load_bank
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d) \| `exercises/([^`]+)\.yaml` \| (.*) \|$", text, re.MULTILINE)
    listed = {(n, bank): re.findall(r"`([a-z0-9-]+)`", items) for n, bank, items in rows}
    asked = {}
    for source in SOURCES:
        code_cells = [c.source for c in source.CELLS if hasattr(c, "source")]
        for cell in code_cells:
            found = re.search(r"Quiz\(course_bank\('([^']+)'\), items=(\[[^]]*\])", cell)
            if found:
                asked[(Path(source.__file__).stem[:2], found[1])] = ast.literal_eval(found[2])
    assert listed == asked
    for (_, bank), ids in asked.items():
        assert set(ids) <= set(load_bank(ROOT.parent / "exercises" / f"{bank}.yaml").ids)
