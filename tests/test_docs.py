"""The examples in docs/python-api.md run, and print what the page says they print."""
import doctest
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.DOTALL | re.MULTILINE)


def run_examples(path: Path) -> tuple[int, str]:
    """Run every ```pycon block of ``path`` in order, in one namespace, as doctests."""
    text = path.read_text("utf-8")
    parser, out = doctest.DocTestParser(), []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    count = 0
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start(1))
        test = parser.get_doctest(match.group(1), globs, path.name, str(path), line)
        count += len(test.examples)
        runner.run(test, out=out.append, clear_globs=False)
        globs = test.globs                      # DocTest copies them: carry them over
    return count, "".join(out)


def test_python_api_examples_run_as_written():
    count, failures = run_examples(DOCS / "python-api.md")
    assert count > 30
    assert failures == ""
