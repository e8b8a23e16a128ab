"""The tour in a real browser at 1366×768: JupyterLab and Notebook 7, headless Chromium.

One Jupyter server serves a copy of notebooks/ (JupyterLab at ``/lab``, Notebook 7 at
``/notebooks``).  Each test opens the English tour, waits until the kernel is
connected and idle, runs every cell, waits until every cell has run, then checks on
the first player that its next button, its current row and its picture fit the
screen together, and that "next" moves the current row.  Screenshots go to
``test-artifacts/``.  The tests skip only when no Chromium binary exists
(``.ci/run`` installs Debian's).
"""
from __future__ import annotations

import pytest
from browser_kit import (
    ARTIFACTS,
    TOKEN,
    assert_fits_the_screen,
    chromium_page,
    first_player,
    jupyter_server,
    needs_chromium,
    notebooks_copy,
    open_and_run_all,
    step_by_key,
    step_player,
)

from simulator.lab import TOUR

needs_chromium()


@pytest.fixture
def jupyter(tmp_path):
    root = notebooks_copy(tmp_path)
    with jupyter_server(root, tmp_path) as base:
        yield base


@pytest.mark.parametrize("app, path", [("jupyterlab", "lab/tree"), ("notebook-7", "notebooks")])
def test_tour_runs_fits_the_screen_and_steps(jupyter, app, path):
    with chromium_page() as page:
        open_and_run_all(page, f"{jupyter}/{path}/{TOUR['en']}?token={TOKEN}")
        player = first_player(page)
        boxes = assert_fits_the_screen(page, player, app)
        before, after, text = step_player(player)
        page.screenshot(path=str(ARTIFACTS / f"tour-{app}-after-next.png"))
        key_before, key_after = step_by_key(page, player)
    assert boxes["picture"]["width"] >= 300            # a picture one can read, not a stamp
    # The tour moves this player to #14 (MAIL FROM); next goes to #15, shown as such.
    assert int(after) == int(before) + 1 and text.startswith(f"#{int(after) + 1} ")
    assert int(key_after) == int(key_before) + 1            # → steps while the player has focus
