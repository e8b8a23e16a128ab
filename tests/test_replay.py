"""The terminal replay: how one step looks, connection headers, long DATA
blocks, and the stepper's keys — all rendered to plain text, no terminal."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from simulator.replay import (
    connection_header,
    connections,
    render_step,
    render_steps,
    render_text,
)
from simulator.replay_stepper import Stepper, run_stepper, step_view
from simulator.trace import Trace
from simulator.views import shorten


def sample_trace() -> Trace:
    """A hand-made SMTP exchange with a DNS lookup, using keys of the cli area."""
    trace = Trace(scenario="hand", seed=7)
    trace.add(time=0.0, conn="c1", src="pc.a.test", dst="mail.a.test", protocol="TCP",
              direction="internal", raw=b"", line="connect mail.a.test:587",
              explain="cli.replay.state", params={"state": "SYN"}, meta={"port": 587})
    trace.add(time=0.02, conn="c1", src="mail.a.test", dst="pc.a.test", protocol="SMTP",
              direction="s2c", raw=b"220 mail.a.test ESMTP\r\n", line="220 mail.a.test ESMTP",
              state_before="INIT", state_after="INIT", explain="cli.replay.time",
              params={"time": "42"}, meta={"port": 587})
    trace.add(time=0.06, conn="c1", src="pc.a.test", dst="mail.a.test", protocol="SMTP",
              direction="c2s", raw=b"MAIL FROM:<alice@a.test>\r\n",
              line="MAIL FROM:<alice@a.test>", state_before="READY", state_after="MAIL",
              explain="cli.replay.hidden", params={"count": 3}, meta={"port": 587})
    trace.add(time=0.08, conn=None, src="mail.a.test", dst="dns", protocol="DNS",
              direction="internal", raw=b"", line="b.test. IN MX? → 10 mx.b.test.")
    return trace


def text_of(renderable, width: int = 100) -> str:
    return render_text([renderable], width)


def test_client_step_shows_prefix_route_state_and_explanation():
    out = text_of(render_step(sample_trace()[2], "en"))
    assert "#3  0.060 s  c1  pc.a.test → mail.a.test  SMTP  state: READY → MAIL" in out
    assert "C: MAIL FROM:<alice@a.test>" in out
    assert "… (3 more lines)" in out          # the explanation, from its key and params


def test_server_step_in_russian():
    out = text_of(render_step(sample_trace()[1], "ru"))
    assert "S: 220 mail.a.test ESMTP" in out
    assert "0.020 с" in out and "состояние: INIT" in out and "INIT → INIT" not in out
    assert "42 с" in out                           # the explanation in Russian


def test_internal_step_is_marked_and_names_one_node_or_two():
    out = text_of(render_step(sample_trace()[3], "en"))
    assert "·· b.test. IN MX? → 10 mx.b.test." in out
    assert "mail.a.test → dns  DNS" in out
    assert "C:" not in out and "S:" not in out


def test_colours_tell_client_server_and_internal_apart():
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system="standard", force_terminal=True)
    for step in list(sample_trace())[1:]:
        console.print(render_step(step, "en"))
    out = buffer.getvalue()
    assert "\x1b[1;32mS:" in out and "\x1b[1;36mC:" in out   # bold green S:, bold cyan C:
    assert "\x1b[1;2;33m··" in out                            # bold dim yellow for internal


def test_multiline_reply_keeps_every_line():
    trace = Trace()
    trace.add(time=0, conn="c1", src="mx", dst="pc", protocol="SMTP", direction="s2c",
              raw=b"", line="250-mx greets pc\n250-PIPELINING\n250 HELP")
    out = text_of(render_step(trace[0], "en"))
    assert "S: 250-mx greets pc\n" in out and "S: 250-PIPELINING\n" in out and "S: 250 HELP" in out


def test_long_data_block_is_shortened_with_a_count():
    body = "\n".join(f"line {i}" for i in range(50))
    trace = Trace()
    trace.add(time=0, conn="c1", src="pc", dst="mx", protocol="SMTP", direction="c2s",
              raw=b"", line=body)
    out = text_of(render_step(trace[0], "ru"))
    assert "C: line 0" in out and "C: line 49" in out and "line 25" not in out
    assert "… (ещё 34 строки)" in out
    assert "line 25" in text_of(render_step(trace[0], "ru", max_lines=None))


def test_shorten_leaves_short_blocks_alone():
    assert shorten(["a", "b"], 20, "en") == ["a", "b"]
    assert shorten([str(i) for i in range(30)], 20, "en")[12] == "… (14 more lines)"


def test_connection_header_from_meta_and_first_step():
    infos = connections(sample_trace())
    assert list(infos) == ["c1"]
    out = text_of(connection_header(infos["c1"], "en"))
    assert "Connection c1: pc.a.test → mail.a.test, port 587 (SMTP)" in out


def test_connection_that_starts_with_a_greeting_has_the_client_as_destination():
    trace = Trace()
    trace.add(time=0, conn="c9", src="mx.b.test", dst="mail.a.test", protocol="SMTP",
              direction="s2c", raw=b"", line="220 hi")
    info = connections(trace)["c9"]
    assert (info.client, info.server, info.port) == ("mail.a.test", "mx.b.test", None)
    assert "Соединение c9: mail.a.test → mx.b.test (SMTP)" in text_of(connection_header(info, "ru"))


def test_render_steps_puts_one_header_before_each_new_connection():
    out = render_text(render_steps(list(sample_trace()), "en"))
    assert out.count("Connection c1:") == 1
    assert out.index("Connection c1:") < out.index("#1 ")


# -- the stepper ----------------------------------------------------------------------


def test_stepper_moves_and_stays_in_range():
    s = Stepper(3)
    assert s.position == 0
    s.prev()
    assert s.position == 0
    for key, expected in [("n", 1), (" ", 2), ("\r", 2), ("\x1b[D", 1), ("p", 0), ("G", 2),
                          ("g", 0), ("\x1b[F", 2), ("\x1b[H", 0), ("\x1b[C", 1), ("b", 0)]:
        assert s.press(key) is True
        assert s.position == expected, key


def test_stepper_quits_on_q_and_ignores_unknown_keys():
    s = Stepper(5, position=3)
    assert s.press("x") is True and s.position == 3
    assert s.press("q") is False and s.done


@pytest.mark.parametrize("key", ["\x1b[1~", "\x1bOH", "\x1b[7~"])
def test_home_spellings_of_different_terminals(key):
    s = Stepper(5, position=4)
    s.press(key)
    assert s.position == 0


def test_stepper_on_an_empty_trace_is_done():
    assert Stepper(0).done


def test_step_view_shows_position_connection_and_keys():
    trace = sample_trace()
    view = step_view(list(trace), 2, "en", connections(trace), "T")
    out = text_of(view)
    assert "step 3 of 4" in out and "Connection c1:" in out and "q quit" in out


def test_run_stepper_follows_keys_until_quit():
    trace = sample_trace()
    keys = iter(["n", "n", "p", "G", "q"])
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    run_stepper(console, list(trace), "en", connections(trace), "T", read=lambda: next(keys))
    shown = [line for line in buffer.getvalue().splitlines() if line.startswith("step ")]
    assert shown == ["step 1 of 4", "step 2 of 4", "step 3 of 4", "step 2 of 4", "step 4 of 4"]
