"""A course notebook in a real browser at 1366×768 (JupyterLab, headless Chromium).

The POP3 notebook (03, English) is opened from a copy of notebooks/; the test waits until
its kernel is connected and idle, runs every cell, waits until every cell has run (no
error output), then steps its first player — the POP3 session of RFC 1939 §10, filtered
to POP3 — with "next" and with →, and checks that the player fits the screen.  The same
waits as the tour's test: no fixed sleeps.  It skips only without a Chromium binary.
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

needs_chromium()

PAGE = "en/03_pop3_and_pop2.ipynb"


@pytest.fixture
def jupyter(tmp_path):
    root = notebooks_copy(tmp_path)
    assert (root / PAGE).is_file()
    with jupyter_server(root, tmp_path) as base:
        yield base


def test_the_pop3_notebook_runs_and_its_player_steps(jupyter):
    with chromium_page() as page:
        open_and_run_all(page, f"{jupyter}/lab/tree/{PAGE}?token={TOKEN}")
        player = first_player(page)
        assert_fits_the_screen(page, player, "course-pop3")
        before, after, text = step_player(player)
        page.screenshot(path=str(ARTIFACTS / "course-pop3-after-next.png"))
        key_before, key_after = step_by_key(page, player)
    # The player shows POP3 steps only and opens on the greeting: "next" goes to the
    # client's USER, the next POP3 step, numbered from 1 as everywhere.
    assert int(after) > int(before) and text.startswith(f"#{int(after) + 1} ")
    assert "C: USER bob@b.test" in text
    assert int(key_after) > int(key_before)
