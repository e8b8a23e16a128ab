"""The FTP, HTTP and webmail built-ins (issue 15) as a student meets them: listed, the same
trace for the same seed, replayed in the terminal and in the player in ru and en with every
text found, and summed up by `mailsim run` in what they moved."""
import re
import warnings

import pytest

from simulator.cli import main
from simulator.locale import has
from simulator.network import simulate
from simulator.plots import sequence_diagram
from simulator.scenarios import builtin_names, load
from simulator.widgets import TracePlayer

NAMES = ["ftp-passive", "ftp-active-nat", "http-basic", "http-keepalive", "http-post-form",
         "webmail"]


@pytest.mark.parametrize("name", NAMES)
def test_listed_and_the_same_trace_for_the_same_seed(name):
    assert name in builtin_names()
    assert simulate(load(name)).trace.to_json() == simulate(load(name)).trace.to_json()
    assert simulate(load(name), seed=7).trace.to_json() == \
        simulate(load(name), seed=7).trace.to_json()


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_replayed_in_the_terminal_with_every_text_and_every_connection_named(name, lang,
                                                                               capsys):
    assert main(["replay", name, "--all", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Сценарий " if lang == "ru" else "Scenario ")
    steps = simulate(load(name)).trace.steps
    # (event.* one-line summaries: tests/test_event_lines.py, for every built-in)
    missing = [key for s in steps for key in [s.explain, *s.params.get("notes", ())]
               if key and not has(key, lang)]
    assert missing == []
    headers = re.findall(r"^(?:Соединение|Connection) c\d+: .*$", out, re.MULTILINE)
    assert headers and not [h for h in headers if "(?)" in h]
    names = {k for s in steps for k in [*s.params, *s.meta]} - {"n"}  # "{n}": IMAP's literal
    left = re.findall(r"\{([a-z_]+)(?::[^}]*)?\}", out)
    assert not set(left) & names                     # every placeholder of a text filled


def test_a_dropped_active_data_connection_is_named_ftp_data_in_the_replay(capsys):
    assert main(["replay", "ftp-active-nat", "--all", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Connection c2: ftp.uni.test → home.uni.test, port 40000 (FTP-DATA)" in out


@pytest.mark.parametrize("lang, words", [("en", "FTP's control connection"),
                                         ("ru", "управляющее соединение FTP")])
def test_the_control_connection_is_explained_as_ftp_not_as_mail(lang, words):
    trace = simulate(load("ftp-passive")).trace
    connect = next(s for s in trace if s.protocol == "TCP" and s.meta.get("port") == 21)
    text = connect.explanation(lang)
    assert words in text and "21" in text
    assert "587" not in text and "MX" not in text


@pytest.mark.parametrize("lang, expected", [
    ("en", ["FTP and HTTP sessions:",
            ("  home.uni.test → ftp.uni.test: FTP done: 1 listing, 1 download, 0 uploads, "
             "1 failed transfer")]),
    ("ru", ["Сеансы FTP и HTTP:",
            ("  home.uni.test → ftp.uni.test: FTP окончен: 1 список, скачано 1 файл, "
             "загружено 0 файлов, 1 неудачная передача")])])
def test_run_sums_up_what_an_ftp_session_moved_and_says_nothing_of_mail(lang, expected,
                                                                         capsys):
    assert main(["run", "ftp-active-nat", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:] == expected


def test_run_counts_http_connections_per_visit_and_keeps_webmails_mail(capsys):
    assert main(["run", "http-keepalive", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.count("pc.b.test → www.b.test: 4 responses over 1 connection") == 2
    assert "4 responses over 4 connections" in out and "mailbox" not in out
    assert main(["run", "webmail", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "laptop.b.test → webmail.b.test: 8 responses over 1 connection" in out
    assert "bob@b.test: INBOX 1, Sent 1" in out


@pytest.mark.parametrize("lang, words", [("en", "is an FTP data connection"),
                                         ("ru", "соединение данных FTP")])
def test_the_players_state_picture_of_a_data_step_is_the_control_sessions(lang, words):
    trace = simulate(load("ftp-passive")).trace
    player = TracePlayer(trace, lang=lang)
    player.picture.value = "state"
    for step in trace:
        if step.protocol != "FTP-DATA":
            continue
        player.show(step.number)
        assert "mailsim-picture" in player.image.value, step.number
        assert words in player.note.value and "c1" in player.note.value
        assert re.search(r"(TRANSFER|CONNECTING)", player.note.value), player.note.value


def test_a_binary_file_on_the_data_connection_draws_without_missing_glyphs():
    trace = simulate(load("ftp-passive")).trace
    binary = next(s for s in trace if s.explain == "ftp.data.file" and "\x00" in s.line)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = sequence_diagram(trace, steps=[binary.index - 1, binary.index], lang="en")
        figure.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
