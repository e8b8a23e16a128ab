"""The course as a code-free student view: Voilà executes the notebooks and serves the widgets.

Voilà runs in its tree mode, as ``mailsim lab --voila`` starts it.  Over HTTP the
tour must carry the players' widget views and no error, and every other course notebook
must render without an error; in Chromium at 1366×768
the students' entry page (the Russian index) leads to the tour, whose first player fits
the screen with its next button, current row and picture, and steps.
"""
from __future__ import annotations

import re
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_kit import (
    CHROMIUM,
    assert_fits_the_screen,
    chromium_page,
    notebooks_copy,
    server,
    step_player,
    voila_command,
)

from simulator.lab import INDEX, TOUR

pytest.importorskip("voila", reason="the lab extra (voila) is missing")
RENDER = 300            # seconds for a page: Voilà executes every cell before answering


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("voila")
    root = notebooks_copy(tmp_path)
    with server(voila_command(root), tmp_path, root, "/", "voila") as base:
        yield base


def render_url(base: str, page: str) -> str:
    return f"{base}/voila/render/{urllib.parse.quote(page)}"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_voila_renders_the_tour_without_errors_or_code(voila, lang):
    with urllib.request.urlopen(render_url(voila, TOUR[lang]), timeout=RENDER) as response:
        page = response.read().decode("utf-8")
    assert page.count("application/vnd.jupyter.widget-view+json") >= 4
    assert '"output_type": "error"' not in page and "Traceback" not in page
    assert "Shift+Enter" not in page and "player.show" not in page    # no code instructions
    assert re.search(r"<title>[^<]*(Экскурсия|A tour)", page)


NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
#: The course after the tour, in Russian (the students' language; the code is the same in en).
COURSE = sorted(p.relative_to(NOTEBOOKS).as_posix()
                for p in (NOTEBOOKS / "ru").glob("0[2-9]_*.ipynb"))


@pytest.mark.parametrize("page", COURSE)
def test_voila_renders_every_course_notebook_without_errors(voila, page):
    with urllib.request.urlopen(render_url(voila, page), timeout=RENDER) as response:
        html = response.read().decode("utf-8")
    assert '"output_type": "error"' not in html and "Traceback" not in html
    # Its outputs are there: a widget view, a picture or a computed table (HTML in JSON).
    assert re.search(r"application/vnd\.jupyter\.widget-view\+json|image/svg\+xml|"
                     r"<table|\\u003ctable", html)
    title = nbformat.read(NOTEBOOKS / page, as_version=4).metadata["title"]
    assert re.search(rf"<title>[^<]*{re.escape(title)}", html)


def test_the_entry_page_leads_to_a_tour_that_fits_the_screen(voila):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api", reason="the browser extra is missing")
    with chromium_page() as page:
        # In Russian: the longer words must fit too (no "Соедине…").
        page.goto(render_url(voila, INDEX["ru"]), wait_until="domcontentloaded")
        page.get_by_role("link", name="Экскурсия: как ходит почта").click()
        player = page.locator(".mailsim-player").first
        player.locator(".mailsim-transcript [data-current='true']").first.wait_for()
        assert_fits_the_screen(page, player, "voila")
        before, after, _ = step_player(player)
    assert int(after) == int(before) + 1
