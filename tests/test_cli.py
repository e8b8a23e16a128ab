"""The ``mailsim`` command line as a user meets it: exit statuses, listings,
the replay printed in Russian, one-line errors without tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import simulator.network
from simulator import __version__
from simulator.cli import main
from simulator.cli_args import pick_lang, translate_error
from simulator.scenarios import builtin_names, loader
from simulator.trace import Trace

FIXTURES = Path(__file__).parent / "fixtures"


def hand_trace() -> Trace:
    """A tiny SMTP exchange whose explanations use keys of the cli area."""
    trace = Trace(scenario="hand", seed=3)
    trace.add(time=0.0, conn="c1", src="mx.b.test", dst="mail.a.test", protocol="SMTP",
              direction="s2c", raw=b"220 mx.b.test ESMTP\r\n", line="220 mx.b.test ESMTP",
              state_after="INIT", explain="cli.run.bounces", params={"count": 0},
              meta={"port": 25})
    trace.add(time=0.1, conn="c1", src="mail.a.test", dst="mx.b.test", protocol="SMTP",
              direction="c2s", raw=b"EHLO mail.a.test\r\n", line="EHLO mail.a.test",
              state_before="INIT", state_after="READY", explain="cli.run.title",
              params={"scenario": "x", "seed": 1}, meta={"port": 25})
    trace.add(time=0.2, conn=None, src="mx.b.test", dst="mx.b.test", protocol="MDA",
              direction="internal", raw=b"", line="deliver → bob@b.test INBOX",
              explain="no.such.key")
    return trace


@pytest.fixture
def trace_file(tmp_path) -> Path:
    path = tmp_path / "hand.json"
    path.write_text(hand_trace().to_json(), "utf-8")
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str):
    assert err.count("\n") == 1 and err.startswith("mailsim: ")
    assert "Traceback" not in err


# -- replay -------------------------------------------------------------------------------


def test_replay_all_in_russian_shows_client_server_lines_and_explanations(capsys, trace_file):
    status, out, err = run(capsys, "replay", str(trace_file), "--all", "--lang", "ru")
    assert status == 0 and err == ""
    assert "S: 220 mx.b.test ESMTP" in out and "C: EHLO mail.a.test" in out
    assert "0 уведомлений о недоставке (DSN)" in out                # explanation of step 0, in Russian
    assert "Сценарий x (зерно 1)" in out               # explanation of step 1
    assert "Соединение c1: mail.a.test → mx.b.test, порт 25 (SMTP)" in out
    assert "состояние: INIT → READY" in out
    assert "no.such.key" in out                       # a missing text shows as its key


def test_replay_in_english(capsys, trace_file):
    status, out, _ = run(capsys, "replay", str(trace_file), "--all", "--lang", "en")
    assert status == 0 and "0 non-delivery notifications (DSN)" in out and "state: INIT → READY" in out


def test_replay_without_a_terminal_prints_everything(capsys, trace_file):
    # pytest's stdin is not a TTY: no --all needed, and no waiting for keys.
    status, out, _ = run(capsys, "replay", str(trace_file), "--lang", "en")
    assert status == 0 and "#2" in out


def test_replay_filters_by_protocol_and_connection(capsys, trace_file):
    status, out, _ = run(capsys, "replay", str(trace_file), "--protocol", "smtp", "--lang", "en")
    assert status == 0 and "EHLO" in out and "deliver →" not in out and "2 of 3 steps shown" in out
    status, out, _ = run(capsys, "replay", str(trace_file), "--conn", "c1", "--lang", "ru")
    assert status == 0 and "deliver →" not in out and "показано 2 из 3 шагов" in out


def test_replay_filter_that_matches_nothing_lists_what_exists(capsys, trace_file):
    status, _, err = run(capsys, "replay", str(trace_file), "--protocol", "IMAP", "--lang", "en")
    assert status == 2
    assert_one_line_error(err)
    assert "no steps match --protocol IMAP" in err and "SMTP, MDA" in err and "c1" in err


@pytest.mark.parametrize("content, words", [
    ("{not json", "line 1: not JSON"),
    ("[1, 2]", "a trace must be a JSON object"),
    ('{"format": "other"}', "not a mailsim trace"),
    ('{"format": "mailsim-trace", "version": 99, "steps": []}', "version 99 is not supported"),
    ('{"format": "mailsim-trace", "version": 1, "steps": [{"index": 0}]}', "malformed"),
])
def test_bad_trace_file_is_one_line_and_status_2(capsys, tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    status, out, err = run(capsys, "replay", str(path), "--all", "--lang", "en")
    assert status == 2 and out == ""
    assert_one_line_error(err)
    assert f"cannot read the trace {path}" in err and words in err


def test_bad_trace_in_russian(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{oops", "utf-8")
    status, _, err = run(capsys, "replay", str(path), "--lang", "ru")
    assert status == 2 and "не удаётся прочитать трассу" in err and "это не JSON" in err


def test_missing_trace_file(capsys, tmp_path):
    status, _, err = run(capsys, "replay", str(tmp_path / "gone.json"), "--lang", "en")
    assert status == 2 and "no such file" in err
    assert_one_line_error(err)


# -- scenarios, errors, options ------------------------------------------------------------


def test_scenarios_lists_every_builtin_with_its_description(capsys):
    status, out, _ = run(capsys, "scenarios", "--lang", "en")
    assert status == 0
    for name in builtin_names():
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert len(line.split(None, 1)) == 2       # a description follows the name


def test_scenarios_shows_the_chosen_language(capsys, monkeypatch):
    monkeypatch.setattr(loader, "_builtin_root", lambda: FIXTURES)
    _, ru, _ = run(capsys, "scenarios", "--lang", "ru")
    _, en, _ = run(capsys, "scenarios", "--lang", "en")
    assert "tiny  Одно письмо внутри одного домена" in ru
    assert "tiny  One message inside one domain" in en


def test_missing_scenario_is_one_line_and_status_2(capsys):
    status, out, err = run(capsys, "run", "no-such-scenario", "--lang", "en")
    assert status == 2 and out == ""
    assert_one_line_error(err)
    assert "'no-such-scenario' is neither a file nor a built-in scenario" in err


def test_broken_scenario_file_names_the_line(capsys, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nhosts:\n  - name: a.test\n    rolse: [mta]\n", "utf-8")
    status, _, err = run(capsys, "replay", str(path), "--lang", "ru")
    assert status == 2
    assert_one_line_error(err)
    assert f"{path}, строка 4: неизвестный ключ 'rolse'" in err


def test_usage_errors_are_translated(capsys):
    status, _, err = run(capsys, "replay", "--lang", "ru")
    assert status == 2 and "не указаны обязательные аргументы" in err
    status, _, err = run(capsys, "run", "basic", "--seed", "abc", "--lang", "en")
    assert status == 2 and "argument --seed: 'abc' is not an integer" in err
    status, _, err = run(capsys, "--lang", "ru")
    assert status == 2 and "не указана команда" in err


def test_help_and_version(capsys):
    status, out, _ = run(capsys, "--help", "--lang", "ru")
    assert status == 0 and out.startswith("использование: mailsim")
    assert "показать эту справку и выйти" in out and "пошаговый просмотр" in out
    status, out, _ = run(capsys, "replay", "--help", "--lang", "en")
    assert status == 0 and "print every step at once" in out and "usage: usage" not in out
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.strip() == f"mailsim {__version__}"


def test_language_prescan():
    assert pick_lang(["replay", "x", "--lang", "en"]) == "en"
    assert pick_lang(["--lang=ru", "scenarios"]) == "ru"
    assert translate_error("unrecognized arguments: --x", "ru") == "непонятные аргументы: --x"


def test_python_dash_m_simulator_is_the_command():
    done = subprocess.run([sys.executable, "-m", "simulator", "--help", "--lang", "en"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "usage: mailsim" in done.stdout


# -- run: the summary, with a stand-in for the network and with the real one ---------------


class FakeStore:
    def snapshot(self):
        return {"bob@b.test": {"INBOX": [{"uid": 1, "flags": [], "size": 9, "subject": "Hi"}]},
                "alice@a.test": {"INBOX": []}}


def test_run_prints_the_summary_and_writes_the_trace(capsys, monkeypatch, tmp_path):
    calls = []

    def fake_simulate(scenario, *, seed=None):
        calls.append((scenario.name, seed))
        return SimpleNamespace(trace=hand_trace(), store=FakeStore(),
                               bounces=[SimpleNamespace(dsn="Q1")])

    monkeypatch.setattr(simulator.network, "simulate", fake_simulate, raising=False)
    out_json = tmp_path / "out.json"
    status, out, _ = run(capsys, "run", str(FIXTURES / "tiny.yaml"), "--seed", "5",
                         "--trace", str(out_json), "--lang", "ru")
    assert status == 0 and calls == [("tiny", 5)]
    assert "Сценарий tiny (зерно 5)" in out and "3 шага, 1 соединение" in out
    assert "  bob@b.test: INBOX 1" in out and "alice@a.test" not in out
    assert "1 уведомление о недоставке (DSN)" in out and f"Трасса записана в {out_json}" in out
    assert Trace.from_json(out_json.read_text("utf-8")) == hand_trace()


def _real_simulate():
    simulate = getattr(simulator.network, "simulate", None)
    if simulate is None:
        pytest.skip("simulator.network.simulate does not exist yet")
    return simulate


def test_run_builtin_basic_for_real(capsys, tmp_path):
    _real_simulate()
    out_json = tmp_path / "basic.json"
    status, out, _ = run(capsys, "run", "basic", "--trace", str(out_json), "--lang", "en")
    assert status == 0 and "Scenario basic (seed 1)" in out
    assert json.loads(out_json.read_text("utf-8"))["format"] == "mailsim-trace"
    status, out, _ = run(capsys, "replay", str(out_json), "--all", "--lang", "ru")
    assert status == 0 and "C: EHLO" in out and "S: 220" in out


def test_replay_scenario_directly_for_real(capsys):
    _real_simulate()
    status, out, _ = run(capsys, "replay", str(FIXTURES / "tiny.yaml"), "--all", "--lang", "en")
    assert status == 0 and "Scenario tiny" in out and "C: " in out


def test_zone_error_from_the_network_names_the_scenario_line(capsys, tmp_path):
    _real_simulate()
    text = (FIXTURES / "tiny.yaml").read_text("utf-8").replace("192.0.2.10", "192.0.2.300")
    path = tmp_path / "badzone.yaml"
    path.write_text(text, "utf-8")
    status, _, err = run(capsys, "run", str(path), "--lang", "en")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "192.0.2.300" in s)
    assert status == 2 and f"{path}, line {line}:" in err
    assert_one_line_error(err)
