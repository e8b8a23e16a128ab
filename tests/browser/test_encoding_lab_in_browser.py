"""The encoding lab in a real browser at 1366×768: JupyterLab, headless Chromium.

A notebook made for the test shows an EncodingLab.  The test waits until the kernel is
connected and idle and the cell has run, clears the text box and types a Russian phrase key
by key as a student would, picks KOI8-R, quoted-printable and the wrong reading charset
(windows-1251) from the drop-downs, and each time waits for what the page shows — the
octets, the MIME part on the wire, the mojibake — never for a fixed time.  The expected
octets and garbage come from Python's codecs, not from the widget.  The controls and the
octets must fit the screen.  Screenshots go to ``test-artifacts/``.
"""
from __future__ import annotations

import quopri

import pytest
from browser_kit import (
    ARTIFACTS,
    SCROLL_TO_FIRST_WIDGET,
    TOKEN,
    VIEWPORT,
    chromium_page,
    jupyter_server,
    needs_chromium,
    one_cell_notebook,
    open_and_run_all,
)

from simulator.mail import charsets

needs_chromium()
pytest.importorskip("nbformat")

TYPED = "Съешь ещё булок"


@pytest.fixture
def jupyter(tmp_path):
    code = "from simulator.widgets import EncodingLab\nEncodingLab(lang='en')"
    root = one_cell_notebook(tmp_path, "lab.ipynb", code)
    with jupyter_server(root, tmp_path) as base:
        yield base


def the_lab(page):
    index = page.evaluate(SCROLL_TO_FIRST_WIDGET)
    assert index >= 0, "no cell shows a widget"
    lab = page.locator(f".jp-Cell[data-windowed-list-index='{index}'] .mailsim-encoding-lab")
    lab.first.wait_for()
    return lab.first


def pick(lab, name: str, value: str) -> None:
    lab.locator(f".mailsim-encoding-{name} select").select_option(value)


def assert_on_screen(lab, names: list[str]) -> None:
    lab.evaluate("el => el.scrollIntoView({block: 'start'})")
    for name in names:
        box = lab.locator(f".mailsim-encoding-{name}").first.bounding_box()
        assert box is not None and box["width"] > 0, name
        assert 0 <= box["x"] and box["x"] + box["width"] <= VIEWPORT["width"], (name, box)
        assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT["height"], (name, box)


def test_typing_russian_and_reading_it_in_the_wrong_charset(jupyter):
    koi8 = TYPED.encode("koi8_r")
    garbage = charsets.visible(charsets.misread(TYPED, "KOI8-R", "windows-1251").garbled)
    qp = quopri.encodestring(koi8).decode("ascii")
    with chromium_page() as page:
        open_and_run_all(page, f"{jupyter}/lab/tree/lab.ipynb?token={TOKEN}")
        lab = the_lab(page)
        box = lab.locator(".mailsim-encoding-text textarea")
        box.fill("")
        box.press_sequentially(TYPED)                     # key by key, like a student
        pick(lab, "written-in", "KOI8-R")
        pick(lab, "transfer", "quoted-printable")
        pick(lab, "read-as", "windows-1251")

        octets = lab.locator(".mailsim-encoding-octets")
        octets.filter(has_text=f"{len(koi8)} octets in KOI8-R").wait_for()
        for ch in "Съё":                                   # each letter over its one octet
            assert ch.encode("koi8_r").hex().upper() in octets.inner_text()
        assert "␣\n20" in octets.inner_text()            # the space, visible, and its octet
        wire = lab.locator(".mailsim-encoding-wire")
        # wait until the wire shows the octets of the last choices (KOI8-R, quoted-printable)
        wire.filter(has_text="Content-Transfer-Encoding: quoted-printable") \
            .filter(has_text=qp.strip()).wait_for()
        assert 'charset="koi8-r"' in wire.inner_text().lower()
        assert qp.strip() in wire.inner_text()               # =F3=DF=C5… as on the wire
        misread = lab.locator(".mailsim-encoding-misread")
        misread.filter(has_text=garbage).wait_for()
        assert "reads these octets as windows-1251" in misread.inner_text()
        assert "every octet survived" in misread.inner_text()      # KOI8-R ↔ 1251: repairable
        assert_on_screen(lab, ["text", "written-in", "transfer", "read-as"])
        page.screenshot(path=str(ARTIFACTS / "encoding-lab-1366x768-controls.png"))
        misread.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(ARTIFACTS / "encoding-lab-1366x768-mojibake.png"))
    assert garbage != TYPED and len(garbage) == len(TYPED)
