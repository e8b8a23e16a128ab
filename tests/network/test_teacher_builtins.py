"""The built-ins written from the teacher's guide (issue 18): quota, greylist-3mx and
backup-mx-forward — listed, deterministic, replayed in ru and en with every text found."""
import re

import pytest

from simulator.cli import main
from simulator.locale import has
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

NEW = ["quota", "greylist-3mx", "backup-mx-forward"]


def test_the_new_scenarios_are_listed(capsys):
    assert set(NEW) <= set(builtin_names())
    for lang in ("en", "ru"):
        assert main(["scenarios", "--lang", lang]) == 0
        out = capsys.readouterr().out
        for name in NEW:
            line = next(line for line in out.splitlines() if line.startswith(name + " "))
            assert load(name).description[lang][:30] in line


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("name", NEW)
def test_each_replays_in_both_languages_with_every_text_found(capsys, name, lang):
    assert main(["replay", name, "--all", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Scenario {name}" if lang == "en" else f"Сценарий {name}")
    steps = simulate(load(name)).trace.steps
    missing = [key for s in steps for key in [s.explain, *s.params.get("notes", ())]
               if key and not has(key, lang)]
    assert missing == []
    # The new texts' parameters are all filled in (a missing one would stay as {name}).
    assert not re.search(r"\{(?:quota|usage|size|mailbox|domain|hosts|skipped|preference|"
                         r"target|attempt)\b", out)
    if lang == "ru":
        assert "Причина" in out or name == "backup-mx-forward"


@pytest.mark.parametrize("name", NEW)
def test_each_gives_the_same_trace_for_the_same_seed(name):
    assert simulate(load(name)).trace.to_json() == simulate(load(name)).trace.to_json()


def test_greylist_3mx_tries_each_next_mx_and_says_why():
    result = simulate(load("greylist-3mx"))
    hops = [server for client, server in result.smtp_hops() if client == "mail.a.test"]
    assert hops == ["mx1.b.test", "mx2.b.test", "mx3.b.test"]
    steps = [s for s in result.trace if s.explain == "mta.next_mx"]
    assert [(s.params["host"], s.params["next"]) for s in steps] == [
        ("mx1.b.test", "mx2.b.test"), ("mx2.b.test", "mx3.b.test")]
    for step in steps:
        assert step.params["notes"] == ["mta.cause.greylisting"]
        assert "greylisting" in step.explanation("en") and "серые списки" in \
            step.explanation("ru")
    [delivery] = result.deliveries
    assert delivery.host == "mx3.b.test" and delivery.time < 1
    assert not [s for s in result.trace if s.explain == "mta.deferred"]


@pytest.mark.parametrize("name", NEW)
def test_the_russian_transcript_shows_their_events_in_russian(name):
    from simulator.views import step_text
    latin = re.compile(r"\b(?:connect|close|queued|deliver|sent|failed|relayed|deferred|"
                       r"bounce|compose|backup)\b")
    for step in simulate(load(name)).trace:
        if step.direction == "internal" and step.protocol != "DNS" and step.line:
            ru = step_text(step, "ru")
            assert not latin.search(ru) and "{" not in ru, (step.explain, ru)
