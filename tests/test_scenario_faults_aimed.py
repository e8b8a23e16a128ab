"""Faults aimed at one client or one recipient, also after the final dot, with the
teacher's own explanation (issue 18): a 552 faked by a fault is no longer explained
as greylisting, and other clients and recipients are not touched."""
from pathlib import Path

import pytest

from simulator.network import simulate
from simulator.scenarios import ScenarioError, load_text

LAB = Path(__file__).parent / "fixtures" / "labs" / "aimed.yaml"


def lab(**swaps):
    text = LAB.read_text("utf-8")
    for old, new in swaps.values():
        assert old in text
        text = text.replace(old, new, 1)
    return text


@pytest.fixture(scope="module")
def result():
    return simulate(load_text(lab(), source="lab.yaml"))


def test_a_fault_aimed_at_one_client_spares_the_others(result):
    refused = result.trace.exchanges(command="MAIL", code=550)
    assert [x.command.src for x in refused] == ["pc2.a.test"]
    accepted = result.trace.exchanges(command="MAIL", code=250)
    assert "pc.a.test" in {x.command.src for x in accepted}
    delivered = {(d.address, d.host) for d in result.deliveries}
    assert ("bob@b.test", "mx.b.test") in delivered


def test_a_fault_aimed_at_one_recipient_answers_its_final_dot_only(result):
    datas = [x for x in result.trace.exchanges(command="DATA") if x.command.dst == "mx.b.test"]
    assert [[r.code for r in x.replies] for x in datas] == [[354, 250], [354, 552]]
    [bounce] = [b for b in result.bounces if b.recipient == "dave@b.test"]
    assert bounce.status == "5.2.2"
    assert [d.address for d in result.deliveries].count("dave@b.test") == 0


def test_the_teachers_explanation_replaces_the_generic_one(result):
    step = result.trace.find(code=552).reply
    assert step.explanation("en") == ("Dave's mailbox is full: the server took the text and "
                                      "only after the dot said 552.")
    assert step.explanation("ru").startswith("Ящик Дейва переполнен")
    assert "greylisting" not in step.explanation("en")


def test_without_explain_a_552_after_the_dot_is_explained_by_its_status():
    result = simulate(load_text(lab(x=("    explain:\n", "    x_explain:\n")).split(
        "    x_explain:")[0], source="lab.yaml"))
    text = result.trace.find(code=552).reply.explanation("en")
    assert "quota" in text and "greylisting" not in text


def test_a_rcpt_fault_for_one_recipient_leaves_the_other_recipient_alone():
    text = lab(x=("    after: DATA\n    recipient: dave@b.test\n    reply: \"552 5.2.2 Mailbox full\"",
                  "    command: RCPT\n    recipient: dave@b.test\n    reply: \"550 5.1.1 No Dave\""))
    result = simulate(load_text(text, source="lab.yaml"))
    rcpts = [(x.command.line, x.reply.code)
             for x in result.trace.exchanges(command="RCPT") if x.command.dst == "mx.b.test"]
    assert ("RCPT TO:<dave@b.test>", 550) in rcpts and ("RCPT TO:<bob@b.test>", 250) in rcpts


@pytest.mark.parametrize("old, new, words", [
    ("    client: pc2.a.test\n", "    client: pc3.a.test\n", ("'pc3.a.test'", "did you mean")),
    ("    command: MAIL\n", "    command: MAIL\n    recipient: bob@b.test\n",
     ("RCPT", "after: DATA", "MAIL")),
    ("    recipient: dave@b.test", "    recipient: dave", ("e-mail address",)),
    ("      en: \"Dave's", "      fr: \"Dave's", ("'fr'",)),
])
def test_mistakes_in_aimed_faults_name_their_line(old, new, words):
    text = lab(x=(old, new))
    line = max(n for n, row in enumerate(text.splitlines(), 1)
               if new.strip().splitlines()[-1] in row)
    for lang, where in (("en", "line"), ("ru", "строка")):
        with pytest.raises(ScenarioError) as info:
            load_text(text, source="lab.yaml", lang=lang)
        assert str(info.value).startswith(f"lab.yaml, {where} {line}:"), str(info.value)
    assert all(w in _en(text) for w in words), _en(text)


def test_explain_needs_both_languages():
    ru = next(line for line in LAB.read_text("utf-8").splitlines(True) if "      ru:" in line)
    text = lab(x=(ru, ""))
    assert "'ru'" in _en(text)


def _en(text):
    with pytest.raises(ScenarioError) as info:
        load_text(text, source="lab.yaml", lang="en")
    return str(info.value)


@pytest.mark.parametrize("name", ["aimed", "thread", "login-retry"])
def test_the_lab_traces_follow_the_schema_and_round_trip(name):
    """A fault's own explanation ({lang: text}) travels in the trace's params."""
    import json
    from importlib import resources

    import jsonschema

    from simulator.scenarios import load_file
    from simulator.trace import Trace
    schema = json.loads(resources.files("simulator").joinpath("trace_schema.json").read_text())
    text = simulate(load_file(LAB.parent / f"{name}.yaml")).trace.to_json()
    jsonschema.validate(json.loads(text), schema)
    loaded = Trace.from_json(text)
    assert loaded.to_json() == text
    if name == "aimed":
        assert loaded.find(code=552).reply.explanation("ru").startswith("Ящик Дейва")
