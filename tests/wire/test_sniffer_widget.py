"""SnifferPanel beside the player: it follows the current step, marks the password."""
from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from simulator.network import simulate
from simulator.scenarios import load
from simulator.widgets import SnifferPanel, TracePlayer


@pytest.fixture(scope="module")
def trace():
    return simulate(load("sniffer")).trace


def step_of(trace, conn, line):
    return next(s for s in trace.filter(conn=conn) if s.line == line)


def test_the_panel_follows_the_player_and_marks_the_password_sent_in_clear(trace):
    player = TracePlayer(trace, lang="en")
    panel = SnifferPanel(trace, lang="en", player=player)
    pass_step = step_of(trace, "c2", "PASS sunshine")
    player.show(pass_step.number)
    assert panel.choice.value == "c2"
    assert "Password of bob@b.test captured (USER/PASS): sunshine" in panel.summary.value
    assert "<mark style='background:#D55E00;color:white;font-weight:bold;'>sunshine</mark>" \
        in panel.captures.value
    assert "background:#fff3b0" in panel.captures.value      # the write of the current step
    pop3s = next(s for s in trace.filter(conn="c5") if s.line.startswith("PASS"))
    player.show(pop3s.number)
    assert panel.choice.value == "c5"
    assert "sunshine" not in panel.summary.value + panel.captures.value
    assert "ClientHello (SNI mail.b.test)" in panel.captures.value
    assert "TLS application data: 1 record," in panel.captures.value


def test_the_panel_speaks_the_players_language(trace):
    player = TracePlayer(trace, lang="en")
    panel = SnifferPanel(trace, lang="en", player=player)
    player.language.value = "ru"
    assert "Что перехватывает наблюдатель" in panel.title.value
    assert panel.choice.description == "Соединение"
    panel.choice.value = "c3"
    assert "Дайджест APOP пользователя bob@b.test" in panel.summary.value
    readable = len(panel.views["c3"].readable())
    assert f"{readable} октет" in panel.summary.value and "можно прочитать" in panel.summary.value


def test_a_trace_without_connections_says_so():
    panel = SnifferPanel(simulate(load("classroom")).trace, lang="en")
    assert panel.summary.value == "This trace has no connection to listen to."
